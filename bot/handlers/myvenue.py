"""/myvenue: venue staff keep their venue current every night.

Each venue's card has "Open as usual tonight", "Closed tonight" (hidden from
open-now answers until its next opening), "Hours changed" (a short chat, checked
like at registration), "See the public card", and "Moved or changed kind" — which
goes back through review: the venue stays listed as it is until it is approved.

Every press re-checks that the presser is staff of THAT venue: the venue id in a
button's data can be forged.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import commands, nightly, venue_input
from bot.access import require_venue_staff
from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation
from bot.handlers import registration, review, start
from bot.handlers.common import edit, send
from bot.render import Reply
from bot.render import myvenue as render
from bot.render import registration as questions
from bot.render.registration import Spot
from bot.settings import Settings
from bot.store import applications, audit, roles
from bot.store.applications import Applicant, Purpose
from bot.texts import Html, t
from bot.venue_input import InputError
from venues import repository
from venues.hours import open_state
from venues.model import Venue, VenueKind, VenueStatus

HOURS_CONVERSATION = "venue_hours"
CHANGE_CONVERSATION = "venue_change"
HOURS_PREFIX = "vh"
CHANGE_PREFIX = "vc"
MAX_VENUES_SHOWN = 10


class HoursStep(StrEnum):
    HOURS = "hours"


class ChangeStep(StrEnum):
    WHERE = "where"
    WHERE_CHOOSE = "where_choose"
    WHERE_CONFIRM = "where_confirm"
    ADDRESS = "address"
    KIND = "kind"


# --- the venue card --------------------------------------------------------------------------


async def _venue(context: NightSafeContext, venue_id: int) -> tuple[Venue, bool] | None:
    async with context.services.sessions() as session:
        venue = await repository.get_venue(session, venue_id)
        waiting = await applications.pending_change_for(session, venue_id) if venue else None
    return (venue, waiting is not None) if venue else None


async def _card(context: NightSafeContext, venue_id: int) -> Reply | None:
    found = await _venue(context, venue_id)
    if found is None:
        return None
    venue, change_waiting = found
    services = context.services
    now = services.now()
    state = open_state(venue.opening_hours, now, services.settings.timezone, venue.closed_until)
    return render.venue_card(
        venue,
        state,
        change_waiting=change_waiting,
        now=now,
        zone=services.zone,
        language=context.language,
    )


async def on_myvenue(update: Update, context: NightSafeContext) -> None:
    async with context.services.sessions() as session:
        venue_ids = await roles.venues_of(session, update.effective_user.id)
    if not venue_ids:
        await send(update, context, Reply(t("myvenue.none", context.language)))
        return
    for venue_id in venue_ids[:MAX_VENUES_SHOWN]:
        card = await _card(context, venue_id)
        if card is not None:
            await send(update, context, card)


# --- tonight's buttons ------------------------------------------------------------------------


async def _pressed_venue(update: Update, context: NightSafeContext) -> int | None:
    """The venue a /myvenue button is about, if the presser is its staff."""
    query = update.callback_query
    decoded = render.decode(query.data)
    if decoded is None:
        await query.answer(t("callback.expired", context.language), show_alert=True)
        return None
    _, venue_id = decoded
    if not await require_venue_staff(update, context, venue_id):
        return None
    async with context.services.sessions() as session:
        exists = await repository.get_venue(session, venue_id) is not None
    if not exists:
        await query.answer(t("callback.expired", context.language), show_alert=True)
        return None
    return venue_id


async def on_tonight(update: Update, context: NightSafeContext) -> None:
    """Open as usual tonight / Closed tonight."""
    venue_id = await _pressed_venue(update, context)
    if venue_id is None:
        return
    query, services, language = update.callback_query, context.services, context.language
    closing = render.decode(query.data)[0] == render.CLOSED
    now = services.now()
    async with services.sessions() as session, session.begin():
        venue = await repository.get_venue(session, venue_id)
        until = None
        if closing:
            until = nightly.closed_tonight_until(
                venue.opening_hours,
                now,
                services.settings.timezone,
                services.settings.night_ends_at,
            )
        venue = await repository.set_closed_until(session, venue_id, until)
        await audit.record(
            session,
            actor_id=update.effective_user.id,
            action="closed_tonight" if closing else "open_tonight",
            target_type="venue",
            target_id=venue_id,
            at=now,
            detail={"until": until.isoformat()} if until else {},
        )
    await services.catalogue.refresh()
    if until is not None:
        said = render.closed(venue, until, services.zone, language)
    else:
        said = render.opened(venue, language)
    await query.answer(questions.plain(said)[:200])
    card = await _card(context, venue_id)
    if card is not None and query.message is not None and query.message.is_accessible:
        await edit(query, card, context)


async def on_public_card(update: Update, context: NightSafeContext) -> None:
    venue_id = await _pressed_venue(update, context)
    if venue_id is None:
        return
    await update.callback_query.answer()
    await send(update, context, await start.venue_card_reply(context, venue_id))


async def on_poster(update: Update, context: NightSafeContext) -> None:
    """The QR-code poster again (lost, or a second door to put it on)."""
    venue_id = await _pressed_venue(update, context)
    if venue_id is None:
        return
    query = update.callback_query
    found = await _venue(context, venue_id)
    if found is None or found[0].status is not VenueStatus.ACTIVE:
        await query.answer(t("myvenue.poster_not_listed", context.language), show_alert=True)
        return
    await query.answer()
    await review.send_poster(context, update.effective_chat.id, found[0])


# --- hours changed: a short chat --------------------------------------------------------------


async def on_hours_start(update: Update, context: NightSafeContext) -> str:
    venue_id = await _pressed_venue(update, context)
    if venue_id is None:
        return END
    await update.callback_query.answer()
    found = await _venue(context, venue_id)
    context.conversation.data["venue"] = venue_id
    await send(update, context, render.ask_hours(found[0], context.language, HOURS_PREFIX))
    return HoursStep.HOURS


async def _save_hours(update: Update, context: NightSafeContext, hours: str) -> str:
    venue_id = int(context.conversation.data["venue"])
    if not await require_venue_staff(update, context, venue_id):
        return END
    services = context.services
    async with services.sessions() as session, session.begin():
        venue = await repository.update_hours(session, venue_id, hours)
        await audit.record(
            session,
            actor_id=update.effective_user.id,
            action="hours_changed",
            target_type="venue",
            target_id=venue_id,
            at=services.now(),
            detail={"opening_hours": hours},
        )
    await services.catalogue.refresh()
    saved = t("myvenue.hours_saved", context.language, name=venue.name, hours=venue.opening_hours)
    await send(update, context, Reply(saved))
    card = await _card(context, venue_id)
    if card is not None:
        await send(update, context, card)
    return END


async def on_hours_text(update: Update, context: NightSafeContext) -> str:
    services = context.services
    try:
        hours = venue_input.opening_hours(
            update.effective_message.text, services.now(), services.settings.timezone
        )
    except InputError as error:
        await _ask_hours_again(update, context, registration.problem_text(error, context.language))
        return STAY
    return await _save_hours(update, context, hours)


async def on_hours_preset(update: Update, context: NightSafeContext) -> str:
    decoded = questions.decode(update.callback_query.data, HOURS_PREFIX)
    argument = decoded[1] if decoded else None
    if argument is None or not argument.isdigit() or int(argument) >= len(questions.HOURS_PRESETS):
        await update.callback_query.answer(t("registration.bad.button", context.language))
        return STAY
    await update.callback_query.answer()
    return await _save_hours(update, context, questions.HOURS_PRESETS[int(argument)][1])


async def _ask_hours_again(update: Update, context: NightSafeContext, problem: Html) -> None:
    found = await _venue(context, int(context.conversation.data["venue"]))
    if found is not None:
        question = render.ask_hours(found[0], context.language, HOURS_PREFIX)
        await send(update, context, questions.with_problem(question, problem))


async def on_hours_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(
            t("registration.bad.button", context.language), show_alert=True
        )
    await _ask_hours_again(update, context, t("registration.bad.type_answer", context.language))


# --- moved or changed kind: back through review -------------------------------------------------


async def on_change_start(update: Update, context: NightSafeContext) -> str:
    venue_id = await _pressed_venue(update, context)
    if venue_id is None:
        return END
    query, language = update.callback_query, context.language
    venue, change_waiting = await _venue(context, venue_id)
    if venue.status in (VenueStatus.PENDING, VenueStatus.REJECTED):
        await query.answer(t("myvenue.not_listed_yet", language), show_alert=True)
        return END
    if change_waiting:
        await query.answer(t("myvenue.change_already_waiting", language), show_alert=True)
        return END
    await query.answer()
    context.conversation.data["venue"] = venue_id
    return await _ask_change(update, context, ChangeStep.WHERE)


def _change_question(context: NightSafeContext, step: str, venue: Venue) -> Reply:
    data, language = context.conversation.data, context.language
    match step:
        case ChangeStep.WHERE:
            return questions.where_question(language, CHANGE_PREFIX, venue_name=venue.name)
        case ChangeStep.WHERE_CHOOSE:
            spots = [Spot.from_data(value) for value in data.get("candidates", [])]
            return questions.where_choices([s for s in spots if s], language, CHANGE_PREFIX)
        case ChangeStep.WHERE_CONFIRM:
            spot = Spot.from_data(data.get("candidate"))
            if spot is not None:
                return questions.where_confirm(spot, language, CHANGE_PREFIX)
            return _change_question(context, ChangeStep.WHERE, venue)
        case ChangeStep.ADDRESS:
            return questions.ask("registration.ask.address", language)
        case _:
            return questions.kind_question(language, CHANGE_PREFIX, venue_name=venue.name)


async def _ask_change(
    update: Update, context: NightSafeContext, step: str, problem: Html | None = None
) -> str:
    found = await _venue(context, int(context.conversation.data["venue"]))
    if found is None:
        return END
    question = _change_question(context, step, found[0])
    await send(update, context, questions.with_problem(question, problem))
    return step


async def _change_again(update: Update, context: NightSafeContext, error: InputError) -> str:
    problem = registration.problem_text(error, context.language)
    await _ask_change(update, context, context.conversation.state, problem)
    return STAY


def _button(update: Update) -> tuple[str, str | None] | None:
    return questions.decode(update.callback_query.data, CHANGE_PREFIX)


async def on_change_where_text(update: Update, context: NightSafeContext) -> str:
    try:
        spots = await registration.spots_for_text(context, update.effective_message.text or "")
    except InputError as error:
        return await _change_again(update, context, error)
    data = context.conversation.data
    if len(spots) == 1:
        data["candidate"] = spots[0].as_data()
        return await _ask_change(update, context, ChangeStep.WHERE_CONFIRM)
    data["candidates"] = [spot.as_data() for spot in spots]
    return await _ask_change(update, context, ChangeStep.WHERE_CHOOSE)


async def on_change_where_location(update: Update, context: NightSafeContext) -> str:
    try:
        spot = registration.spot_for_location(context, update)
    except InputError as error:
        return await _change_again(update, context, error)
    _place(context, spot)
    return await _ask_change(update, context, ChangeStep.ADDRESS)


def _place(context: NightSafeContext, spot: Spot) -> None:
    data = context.conversation.data
    data["latitude"], data["longitude"] = spot.latitude, spot.longitude
    data.pop("candidate", None)
    data.pop("candidates", None)


async def on_change_button(update: Update, context: NightSafeContext) -> str:
    """Same place / a place from the list / Yes / No, in the where steps."""
    button, data, query = _button(update), context.conversation.data, update.callback_query
    action, argument = button if button else (None, None)
    state = context.conversation.state
    candidates = data.get("candidates", [])
    if action == "sp":
        await query.answer()
        return await _ask_change(update, context, ChangeStep.KIND)
    chosen = int(argument) if argument and argument.isdigit() else len(candidates)
    if action == "p" and state == ChangeStep.WHERE_CHOOSE and chosen < len(candidates):
        await query.answer()
        data["candidate"] = candidates[chosen]
        return await _ask_change(update, context, ChangeStep.WHERE_CONFIRM)
    if action == "y" and state == ChangeStep.WHERE_CONFIRM:
        spot = Spot.from_data(data.get("candidate"))
        if spot is not None:
            await query.answer()
            _place(context, spot)
            return await _ask_change(update, context, ChangeStep.ADDRESS)
    if action == "n" and state == ChangeStep.WHERE_CONFIRM:
        await query.answer()
        data.pop("candidate", None)
        return await _ask_change(update, context, ChangeStep.WHERE)
    await on_change_unexpected(update, context, state)
    return STAY


async def on_change_address(update: Update, context: NightSafeContext) -> str:
    try:
        address, postcode = venue_input.address(update.effective_message.text)
    except InputError as error:
        return await _change_again(update, context, error)
    data = context.conversation.data
    data["address"], data["postcode"] = address, postcode
    return await _ask_change(update, context, ChangeStep.KIND)


async def on_change_kind(update: Update, context: NightSafeContext) -> str:
    button, query = _button(update), update.callback_query
    argument = button[1] if button and button[0] == "k" else None
    if argument != "same" and argument not in questions.KIND_CODES:
        await on_change_unexpected(update, context, ChangeStep.KIND)
        return STAY
    await query.answer()
    data = context.conversation.data
    if argument != "same":
        data["kind"] = questions.KIND_CODES[argument].value
    return await _submit_change(update, context)


def _change_of(venue: Venue, data: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ from the venue as listed."""
    change: dict[str, Any] = {}
    if "latitude" in data and (data["latitude"], data["longitude"]) != (
        venue.latitude,
        venue.longitude,
    ):
        change.update(latitude=data["latitude"], longitude=data["longitude"])
    if data.get("address") and data["address"] != venue.address:
        change.update(address=data["address"], postcode=data.get("postcode"))
    if "kind" in data and VenueKind(data["kind"]) is not venue.kind:
        change["kind"] = data["kind"]
    return change


async def _submit_change(update: Update, context: NightSafeContext) -> str:
    venue_id = int(context.conversation.data["venue"])
    if not await require_venue_staff(update, context, venue_id):
        return END
    services, language, user = context.services, context.language, update.effective_user
    async with services.sessions() as session, session.begin():
        venue = await repository.get_venue(session, venue_id)
        change = _change_of(venue, context.conversation.data) if venue else {}
        waiting = await applications.pending_change_for(session, venue_id)
        application = None
        if change and waiting is None:
            application = await applications.submit(
                session,
                venue_id=venue_id,
                purpose=Purpose.CHANGE,
                applicant=Applicant(
                    user_id=user.id,
                    chat_id=update.effective_chat.id,
                    name=user.full_name,
                    role=t("myvenue.role"),
                ),
                at=services.now(),
                change=change,
            )
    if application is None:
        key = "myvenue.change_already_waiting" if waiting else "myvenue.change_nothing"
        await send(update, context, Reply(t(key, language)))
        return END
    await send(update, context, Reply(t("myvenue.change_submitted", language, name=venue.name)))
    await review.send_review_cards(context, application.id)
    return END


async def on_change_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    language = context.language
    if update.callback_query is not None:
        await update.callback_query.answer(t("registration.bad.button", language), show_alert=True)
        key = "registration.bad.button"
    elif state == ChangeStep.ADDRESS:
        key = "registration.bad.type_answer"
    elif state == ChangeStep.KIND:
        key = "registration.bad.button"
    else:
        key = "registration.bad.text_or_location"
    await _ask_change(update, context, state, t(key, language))


# --- the end of a chat ------------------------------------------------------------------------


async def on_cancel(update: Update, context: NightSafeContext) -> str:
    await send(update, context, Reply(t("myvenue.unchanged", context.language)))
    return END


async def on_timeout(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, t("myvenue.timed_out"))


# --- wiring -----------------------------------------------------------------------------------


def passing_buttons() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    """/myvenue buttons that work in the middle of another chat."""
    return [
        CallbackQueryHandler(on_tonight, pattern=render.pattern(render.OPEN)),
        CallbackQueryHandler(on_tonight, pattern=render.pattern(render.CLOSED)),
        CallbackQueryHandler(on_public_card, pattern=render.pattern(render.CARD)),
        CallbackQueryHandler(on_poster, pattern=render.pattern(render.POSTER)),
    ]


def _fallbacks() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [
        CommandHandler(commands.CANCEL.name, on_cancel),
        *passing_buttons(),
        *review.passing_buttons(),
    ]


def hours_conversation(settings: Settings) -> Conversation:
    return Conversation(
        name=HOURS_CONVERSATION,
        entry_points=[CallbackQueryHandler(on_hours_start, pattern=render.pattern(render.HOURS))],
        states={
            HoursStep.HOURS: [
                CallbackQueryHandler(on_hours_preset, pattern=rf"^{HOURS_PREFIX}\|h\|"),
                MessageHandler(registration.TEXT, on_hours_text),
            ]
        },
        fallbacks=_fallbacks(),
        on_unexpected=on_hours_unexpected,
        on_timeout=on_timeout,
        timeout=timedelta(minutes=settings.registration_timeout_minutes),
    )


def change_conversation(settings: Settings) -> Conversation:
    buttons = CallbackQueryHandler(on_change_button, pattern=rf"^{CHANGE_PREFIX}\|(?:sp|p|y|n)")
    where = [
        buttons,
        MessageHandler(registration.TEXT, on_change_where_text),
        MessageHandler(registration.LOCATION, on_change_where_location),
    ]
    return Conversation(
        name=CHANGE_CONVERSATION,
        entry_points=[CallbackQueryHandler(on_change_start, pattern=render.pattern(render.MOVED))],
        states={
            ChangeStep.WHERE: where,
            ChangeStep.WHERE_CHOOSE: where,
            ChangeStep.WHERE_CONFIRM: where,
            ChangeStep.ADDRESS: [MessageHandler(registration.TEXT, on_change_address)],
            ChangeStep.KIND: [
                CallbackQueryHandler(on_change_kind, pattern=rf"^{CHANGE_PREFIX}\|k\|")
            ],
        },
        fallbacks=_fallbacks(),
        on_unexpected=on_change_unexpected,
        on_timeout=on_timeout,
        timeout=timedelta(minutes=settings.registration_timeout_minutes),
    )


async def on_stale_button(update: Update, context: NightSafeContext) -> None:
    """An hours or change button pressed when that chat is over (old, or forged)."""
    await update.callback_query.answer(t("callback.expired", context.language), show_alert=True)


def handlers() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [
        CommandHandler(commands.MYVENUE.name, on_myvenue),
        *passing_buttons(),
        CallbackQueryHandler(on_stale_button, pattern=rf"^(?:{HOURS_PREFIX}|{CHANGE_PREFIX})\|"),
    ]
