"""Problem reports: "Report a problem with this place" on a venue card starts a short
guided report (what went wrong, then, if they like, their own words). Never where
the reporter is: the chat never asks, and a shared location is not kept.

Partnership staff see reports per venue (/reports) and can suspend a venue (taken
off the public list at once, its staff told, audited) or list it again.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import commands, notify
from bot.access import require_partnership_staff
from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation
from bot.handlers import review
from bot.handlers.common import edit, send
from bot.handlers.registration import TEXT
from bot.render import Reply
from bot.render import reports as render
from bot.store import audit, reports, roles, suspensions
from bot.store.reports import Category
from bot.texts import join, t
from venues import repository
from venues.model import Venue, VenueStatus

CONVERSATION_NAME = "report"


class Step(StrEnum):
    CATEGORY = "category"
    WORDS = "words"


# --- the report --------------------------------------------------------------------------


async def _venue(context: NightSafeContext, venue_id: int) -> Venue | None:
    async with context.services.sessions() as session:
        return await repository.get_venue(session, venue_id)


async def on_report(update: Update, context: NightSafeContext) -> str:
    query, services, language = update.callback_query, context.services, context.language
    venue_id = render.decode_start(query.data)
    venue = await _venue(context, venue_id) if venue_id is not None else None
    if venue is None or venue.status in (VenueStatus.PENDING, VenueStatus.REJECTED):
        await query.answer(t("callback.expired", language), show_alert=True)
        return END
    async with services.sessions() as session:
        sent_today = await reports.count_by_since(
            session, update.effective_user.id, services.now() - timedelta(days=1)
        )
    if sent_today >= services.settings.reports_per_day:
        await query.answer()
        reply = t("report.too_many", language, partnership=services.partnership.name)
        await send(update, context, Reply(reply))
        return END
    await query.answer()
    context.conversation.data["venue"] = venue.id
    emergency = services.partnership.emergency.emergency_numbers[0]
    await send(update, context, render.category_question(venue, emergency, language))
    return Step.CATEGORY


async def on_category(update: Update, context: NightSafeContext) -> str:
    query = update.callback_query
    category = render.decode_category(query.data)
    if category is None:
        await on_unexpected(update, context, Step.CATEGORY)
        return STAY
    await query.answer()
    context.conversation.data["category"] = category.value
    await send(update, context, render.words_question(context.language))
    return Step.WORDS


async def on_words(update: Update, context: NightSafeContext) -> str:
    words = (update.effective_message.text or "").strip()
    if len(words) > reports.MAX_WORDS or not any(c.isalnum() for c in words):
        await on_unexpected(update, context, Step.WORDS)
        return STAY
    return await _file(update, context, words)


async def on_no_words(update: Update, context: NightSafeContext) -> str:
    await update.callback_query.answer()
    return await _file(update, context, None)


async def _file(update: Update, context: NightSafeContext, words: str | None) -> str:
    services, data = context.services, context.conversation.data
    category = Category(data["category"])
    async with services.sessions() as session, session.begin():
        venue = await repository.get_venue(session, int(data["venue"]))
        if venue is None:
            return END
        await reports.add(
            session,
            venue_id=venue.id,
            reporter_user_id=update.effective_user.id,
            category=category,
            words=words,
            at=services.now(),
        )
        open_count = await reports.count_open_for_venue(session, venue.id)
        staff = await roles.partnership_staff(session)
    thanks = t("report.thanks", context.language, partnership=services.partnership.name)
    await send(update, context, Reply(thanks))
    await notify.tell_all(context.bot, staff, render.staff_notice(venue, category, open_count))
    return END


async def on_cancel(update: Update, context: NightSafeContext) -> str:
    await send(update, context, Reply(t("report.cancelled", context.language)))
    return END


async def on_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    """Not an answer: say so, and ask again. A location sent here is never kept."""
    language = context.language
    if state == Step.CATEGORY:
        problem = t("registration.bad.button", language)
        venue = await _venue(context, int(context.conversation.data["venue"]))
        emergency = context.services.partnership.emergency.emergency_numbers[0]
        question = render.category_question(venue, emergency, language) if venue else None
    else:
        problem = t("report.bad_words", language, limit=reports.MAX_WORDS)
        question = render.words_question(language)
    if update.callback_query is not None:
        await update.callback_query.answer(problem, show_alert=True)
    if question is not None:
        await send(
            update, context, Reply(join([problem, question.text], "\n\n"), question.keyboard)
        )


async def on_timeout(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, t("report.timed_out"))


# --- partnership staff --------------------------------------------------------------------


async def on_reports(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    async with context.services.sessions() as session:
        summaries = await reports.open_by_venue(session)
        venues = {s.venue_id: await repository.get_venue(session, s.venue_id) for s in summaries}
    shown = {venue_id: venue for venue_id, venue in venues.items() if venue is not None}
    await send(update, context, render.open_reports(summaries, shown, context.language))


async def _venue_view(context: NightSafeContext, venue_id: int) -> Reply | None:
    async with context.services.sessions() as session:
        venue = await repository.get_venue(session, venue_id)
        if venue is None:
            return None
        open_reports = await reports.open_for_venue(session, venue_id)
        reason = await suspensions.reason_of(session, venue_id)
    return render.venue_reports(
        venue,
        open_reports,
        reinstatable=reason is suspensions.Reason.REPORTS,
        zone=context.services.zone,
        language=context.language,
    )


async def on_staff_button(update: Update, context: NightSafeContext) -> None:
    query, language = update.callback_query, context.language
    if not await require_partnership_staff(update, context):
        return
    decoded = render.decode_staff(query.data)
    view = await _venue_view(context, decoded[1]) if decoded else None
    if decoded is None or view is None:
        await query.answer(t("callback.expired", language), show_alert=True)
        return
    action, venue_id = decoded
    if action == render.VIEW:
        await query.answer()
        await send(update, context, view)
        return
    answer = await _act(update, context, action, venue_id)
    await query.answer(answer[:200], show_alert=True)
    view = await _venue_view(context, venue_id)
    if view is not None and query.message is not None and query.message.is_accessible:
        await edit(query, view, context)


async def _act(update: Update, context: NightSafeContext, action: str, venue_id: int) -> str:
    """Suspend, list again or mark reviewed; audited. Returns what to tell the presser."""
    services, language, actor = context.services, context.language, update.effective_user.id
    now = services.now()
    async with services.sessions() as session, session.begin():
        if action == render.SUSPEND:
            done = await suspensions.suspend(
                session, venue_id, suspensions.Reason.REPORTS, actor, now
            )
            answer = "reports.answer.suspended" if done else "reports.answer.not_listed"
            audited = "suspend"
        elif action == render.REINSTATE:
            done = await suspensions.reinstate(session, venue_id, only=suspensions.Reason.REPORTS)
            answer = "reports.answer.reinstated" if done else "reports.answer.not_suspended"
            audited = "reinstate"
        else:
            done = await reports.mark_reviewed(session, venue_id, actor, now) > 0
            answer, audited = "reports.answer.reviewed", "reports_reviewed"
        if done:
            await audit.record(
                session,
                actor_id=actor,
                action=audited,
                target_type="venue",
                target_id=venue_id,
                at=now,
            )
        venue = await repository.get_venue(session, venue_id)
        staff = await roles.staff_of_venue(session, venue_id)
    if done and action in (render.SUSPEND, render.REINSTATE):
        await services.catalogue.refresh()
        key = "reports.suspended_staff" if action == render.SUSPEND else "reports.reinstated_staff"
        told = Reply(t(key, None, name=venue.name, partnership=services.partnership.name))
        await notify.tell_all(context.bot, staff, told)
    return t(answer, language)


# --- wiring --------------------------------------------------------------------------------


def conversation() -> Conversation:
    return Conversation(
        name=CONVERSATION_NAME,
        entry_points=[CallbackQueryHandler(on_report, pattern=render.START_PATTERN)],
        states={
            Step.CATEGORY: [CallbackQueryHandler(on_category, pattern=render.CATEGORY_PATTERN)],
            Step.WORDS: [
                MessageHandler(TEXT, on_words),
                CallbackQueryHandler(on_no_words, pattern=render.NO_WORDS_PATTERN),
            ],
        },
        fallbacks=[
            CommandHandler(commands.CANCEL.name, on_cancel),
            CallbackQueryHandler(on_staff_button, pattern=render.STAFF_PATTERN),
            *review.passing_buttons(),
        ],
        on_unexpected=on_unexpected,
        on_timeout=on_timeout,
        timeout=timedelta(minutes=30),
    )


async def on_stale_button(update: Update, context: NightSafeContext) -> None:
    await update.callback_query.answer(t("callback.expired", context.language), show_alert=True)


def handlers() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [
        CommandHandler(commands.REPORTS.name, on_reports),
        CallbackQueryHandler(on_staff_button, pattern=render.STAFF_PATTERN),
        CallbackQueryHandler(on_stale_button, pattern=r"^rq\|"),
    ]
