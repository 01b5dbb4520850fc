"""Partnership review: review cards to every member of staff, /pending, Approve, Reject
(with a reason, asked in a short database-backed chat), and /accredit for expiry dates.

Every press re-checks the presser's role on the server (button data can be
forged). Deciding is one conditional UPDATE, so when two members of staff press
at once exactly one decision is made, the applicant is told once, and every card
is updated to show who decided.
"""

from __future__ import annotations

import html
import logging
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import commands, notify, poster
from bot.access import require_partnership_staff
from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation
from bot.handlers.common import edit, send
from bot.render import Reply
from bot.render import review as render
from bot.render.registration import plain
from bot.store import accreditations, applications, audit, roles, suspensions
from bot.store.applications import Application, Decision, Purpose, Status
from bot.texts import DEFAULT_LANGUAGE, join, t
from bot.venue_input import InputError, expiry_date, one_line
from venues import repository
from venues.model import Venue

logger = logging.getLogger(__name__)

REJECT_CONVERSATION = "review_reject"
REASON_LIMIT = 500
PENDING_SHOWN = 10


class RejectStep(StrEnum):
    REASON = "reason"


# --- cards -------------------------------------------------------------------------------


async def _load(
    context: NightSafeContext, application_id: int
) -> tuple[Application, Venue, dict[str, date | None]] | None:
    async with context.services.sessions() as session:
        application = await applications.get(session, application_id)
        venue = await repository.get_venue(session, application.venue_id) if application else None
        recorded = await accreditations.of_venue(session, venue.id) if venue else []
    if application is None or venue is None:
        return None
    return application, venue, {a.scheme: a.expires_on for a in recorded}


async def _card(context: NightSafeContext, application_id: int, language: str) -> Reply | None:
    parts = await _load(context, application_id)
    if parts is None:
        return None
    application, venue, expiries = parts
    return render.review_card(
        application, venue, expiries, zone=context.services.zone, language=language
    )


async def _record_cards(
    context: NightSafeContext, application_id: int, shown: list[tuple[int, int]]
) -> None:
    async with context.services.sessions() as session, session.begin():
        for chat_id, message_id in shown:
            await applications.add_card(session, application_id, chat_id, message_id)


async def send_review_cards(context: NightSafeContext, application_id: int) -> None:
    """A review card to every member of partnership staff, remembered so it can be updated."""
    async with context.services.sessions() as session:
        staff = await roles.partnership_staff(session)
    card = await _card(context, application_id, DEFAULT_LANGUAGE)
    if card is None:
        return
    shown = []
    for chat_id in staff:
        message = await notify.tell(context.bot, chat_id, card)
        if message is not None:
            shown.append((chat_id, message.message_id))
    await _record_cards(context, application_id, shown)
    # Decided while the cards went out: bring them up to date too.
    parts = await _load(context, application_id)
    if parts is not None and parts[0].status is not Status.PENDING:
        await update_cards(context, application_id)


async def update_cards(context: NightSafeContext, application_id: int) -> None:
    """Every card of a decided application shows the decision and loses its buttons."""
    card = await _card(context, application_id, DEFAULT_LANGUAGE)
    if card is None:
        return
    async with context.services.sessions() as session:
        shown = await applications.cards(session, application_id)
    for chat_id, message_id in shown:
        await notify.replace_text(context.bot, chat_id, message_id, card)


# --- /pending ----------------------------------------------------------------------------


async def on_pending(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    async with context.services.sessions() as session:
        waiting = await applications.pending(session, limit=PENDING_SHOWN)
        count = await applications.count_pending(session)
    await send(update, context, render.pending_header(count, context.language))
    shown = []
    for application in waiting:
        card = await _card(context, application.id, context.language)
        message = await send(update, context, card) if card else None
        if message is not None:
            shown.append((application.id, message.chat_id, message.message_id))
    async with context.services.sessions() as session, session.begin():
        for application_id, chat_id, message_id in shown:
            await applications.add_card(session, application_id, chat_id, message_id)
    if count > len(waiting):
        await send(update, context, render.pending_more(count - len(waiting), context.language))


# --- approve -----------------------------------------------------------------------------


async def _refuse_decided(
    update: Update, context: NightSafeContext, application: Application, *, approving: bool
) -> None:
    query = update.callback_query
    text = render.already_decided(application, context.language, approving=approving)
    await query.answer(plain(text)[:200], show_alert=True)
    card = await _card(context, application.id, context.language)
    if card is not None and query.message is not None and query.message.is_accessible:
        await edit(query, card, context)


async def on_approve(update: Update, context: NightSafeContext) -> None:
    query, language = update.callback_query, context.language
    if not await require_partnership_staff(update, context):
        return
    application_id = render.decode(query.data, "a")
    if application_id is None:
        await query.answer(t("callback.expired", language), show_alert=True)
        return
    services, user = context.services, update.effective_user
    async with services.sessions() as session, session.begin():
        decision = await applications.approve(
            session,
            application_id,
            reviewer_id=user.id,
            reviewer_name=user.full_name,
            at=services.now(),
        )
    if decision is None:
        await query.answer(t("review.answer.gone", language), show_alert=True)
        return
    if not decision.won:
        await _refuse_decided(update, context, decision.application, approving=True)
        return
    await services.catalogue.refresh()
    await query.answer(t("review.answer.approved", language))
    await update_cards(context, application_id)
    await _tell_approved(context, decision)


async def _tell_approved(context: NightSafeContext, decision: Decision) -> None:
    application, venue = decision.application, decision.venue
    chat_id = application.applicant_chat_id
    if chat_id is None or venue is None:
        return  # the applicant asked to be forgotten
    partnership = context.services.partnership
    await notify.tell(
        context.bot, chat_id, render.applicant_approved(application, venue, partnership.name)
    )
    if application.purpose is Purpose.NEW:
        await send_poster(context, chat_id, venue)


async def send_poster(context: NightSafeContext, chat_id: int, venue: Venue) -> None:
    link = poster.deep_link(context.bot.username, venue.id)
    png = poster.poster_png(
        link,
        venue_name=venue.name,
        heading=context.services.partnership.short_name,
        caption=html.unescape(t("poster.scan")),
    )
    await notify.send_file(
        context.bot,
        chat_id,
        png,
        f"nightsafe-venue-{venue.id}.png",
        render.poster_caption(venue, link),
    )


# --- reject, with a reason -------------------------------------------------------------------


async def on_reject(update: Update, context: NightSafeContext) -> str:
    query, language = update.callback_query, context.language
    if not await require_partnership_staff(update, context):
        return END
    application_id = render.decode(query.data, "r")
    parts = await _load(context, application_id) if application_id is not None else None
    if parts is None:
        key = "callback.expired" if application_id is None else "review.answer.gone"
        await query.answer(t(key, language), show_alert=True)
        return END
    application, venue, _ = parts
    if application.status is not Status.PENDING:
        await _refuse_decided(update, context, application, approving=False)
        return END
    await query.answer()
    context.conversation.data["application"] = application.id
    await send(update, context, Reply(t("review.ask_reason", language, name=venue.name)))
    return RejectStep.REASON


async def on_reason(update: Update, context: NightSafeContext) -> str:
    language = context.language
    reason = one_line(update.effective_message.text)
    if not any(c.isalpha() for c in reason) or len(reason) > REASON_LIMIT:
        await send(update, context, Reply(t("review.bad_reason", language, limit=REASON_LIMIT)))
        return STAY
    if not await require_partnership_staff(update, context):
        return END
    services, user = context.services, update.effective_user
    application_id = int(context.conversation.data["application"])
    async with services.sessions() as session, session.begin():
        decision = await applications.reject(
            session,
            application_id,
            reviewer_id=user.id,
            reviewer_name=user.full_name,
            reason=reason,
            at=services.now(),
        )
    if decision is None:
        await send(update, context, Reply(t("review.answer.gone", language)))
        return END
    if not decision.won:
        await send(update, context, render.decided_meanwhile(decision.application, language))
        return END
    await services.catalogue.refresh()
    await send(update, context, Reply(t("review.rejected_done", language)))
    await update_cards(context, application_id)
    application, venue = decision.application, decision.venue
    if application.applicant_chat_id is not None and venue is not None:
        reply = render.applicant_rejected(application, venue, services.partnership.name)
        await notify.tell(context.bot, application.applicant_chat_id, reply)
    return END


async def on_reason_cancel(update: Update, context: NightSafeContext) -> str:
    await send(update, context, Reply(t("review.reason_cancelled", context.language)))
    return END


async def on_reason_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    text = t("review.bad_reason", context.language, limit=REASON_LIMIT)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
        return
    await send(update, context, Reply(text))


async def on_reason_timeout(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, t("review.reason_cancelled"))


# --- /accredit: see and set accreditation expiry dates -------------------------------------


async def on_accredit(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    services, language = context.services, context.language
    args = context.args or []
    schemes = ", ".join(scheme.key for scheme in services.partnership.schemes)
    if not args or not args[0].isdigit() or len(args) == 2 or len(args[0]) > 9:
        await send(update, context, Reply(t("accredit.usage", language, schemes=schemes)))
        return
    venue_id = int(args[0])
    async with services.sessions() as session:
        venue = await repository.get_venue(session, venue_id)
    if venue is None:
        await send(update, context, Reply(t("accredit.unknown_venue", language, venue=venue_id)))
        return
    if len(args) >= 3:
        await _set_expiry(update, context, venue, " ".join(args[1:-1]), args[-1])
        return
    await _show_accreditations(update, context, venue)


def _today(context: NightSafeContext) -> date:
    return context.services.now().astimezone(context.services.zone).date()


async def _show_accreditations(update: Update, context: NightSafeContext, venue: Venue) -> None:
    async with context.services.sessions() as session:
        recorded = await accreditations.of_venue(session, venue.id)
    reply = render.accreditations(venue, recorded, _today(context), context.language)
    await send(update, context, reply)


async def _set_expiry(
    update: Update, context: NightSafeContext, venue: Venue, scheme_name: str, day: str
) -> None:
    services, language = context.services, context.language
    scheme = services.partnership.scheme(scheme_name)
    if scheme is None:
        schemes = ", ".join(s.key for s in services.partnership.schemes)
        reply = t("accredit.unknown_scheme", language, scheme=scheme_name, schemes=schemes)
        await send(update, context, Reply(reply))
        return
    today = _today(context)
    try:
        last_day = None if day.casefold() == "none" else expiry_date(day, today)
    except InputError as error:
        await send(update, context, Reply(t(error.key, language, **error.values)))
        return
    now = services.now()
    async with services.sessions() as session, session.begin():
        accreditation = await accreditations.set_expiry(
            session, venue.id, scheme.name, last_day, now
        )
        if scheme.name not in venue.schemes:
            venue = await repository.set_schemes(session, venue.id, [*venue.schemes, scheme.name])
        relisted = await suspensions.reinstate(session, venue.id, only=suspensions.Reason.EXPIRED)
        await audit.record(
            session,
            actor_id=update.effective_user.id,
            action="set_expiry",
            target_type="venue",
            target_id=venue.id,
            at=now,
            detail={
                "scheme": scheme.name,
                "expires_on": last_day.isoformat() if last_day else None,
            },
        )
    await services.catalogue.refresh()
    until = render.accreditation_until(accreditation, today, language)
    lines = [t("accredit.set", language, scheme=scheme.name, name=venue.name, until=until)]
    if relisted:
        lines.append(t("accredit.relisted", language, name=venue.name))
    await send(update, context, Reply(join(lines)))


# --- wiring --------------------------------------------------------------------------------

_APPROVE = rf"^{render.PREFIX}\|a\|"
_REJECT = rf"^{render.PREFIX}\|r\|"


def passing_buttons() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    """Review buttons that work in the middle of any other chat (a conversation's
    fallbacks), so a card can be decided while something else is going on."""
    return [CallbackQueryHandler(on_approve, pattern=_APPROVE)]


def reject_conversation() -> Conversation:
    return Conversation(
        name=REJECT_CONVERSATION,
        entry_points=[CallbackQueryHandler(on_reject, pattern=_REJECT)],
        states={
            RejectStep.REASON: [
                MessageHandler(
                    filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_reason
                )
            ]
        },
        fallbacks=[CommandHandler(commands.CANCEL.name, on_reason_cancel), *passing_buttons()],
        on_unexpected=on_reason_unexpected,
        on_timeout=on_reason_timeout,
        timeout=timedelta(minutes=30),
    )


def handlers() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [
        CommandHandler(commands.PENDING.name, on_pending),
        CommandHandler(commands.ACCREDIT.name, on_accredit),
        CallbackQueryHandler(on_approve, pattern=_APPROVE),
    ]
