"""/register: venue staff register their venue in a guided chat (bot.conversation), then
partnership staff review it (bot.handlers.review).

name → where (a shared pin, or a typed place confirmed on a pin) → address → kind →
schemes (and when each expires) → facilities → languages → opening hours → phone →
the applicant's name and role → a summary to confirm, edit or cancel.

Every answer is written to the conversation's row before the next question, so
the chat carries on after a restart. Each bad answer gets a plain explanation
and the same question again; nothing is stored until the summary is confirmed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import commands, venue_input
from bot.callbacks import valid_coordinates
from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation
from bot.handlers import review
from bot.handlers.common import button_filter, edit, send
from bot.render import Reply
from bot.render import registration as render
from bot.render.registration import PREFIX, Part, Spot, VenueDetails
from bot.settings import Settings
from bot.store import accreditations, applications
from bot.store.applications import Applicant, Purpose
from bot.texts import Html, t
from bot.venue_input import HoursInputError, InputError
from venues import repository
from venues.model import Facility, Point, VenueKind
from venues.places import Ambiguous, Found, InvalidCoordinates, NotFound
from venues.repository import VenueDraft

CONVERSATION_NAME = "registration"
MAX_PLACE_QUERY = 200


class Step(StrEnum):
    NAME = "name"
    WHERE = "where"
    WHERE_CHOOSE = "where_choose"
    WHERE_CONFIRM = "where_confirm"
    ADDRESS = "address"
    KIND = "kind"
    SCHEMES = "schemes"
    EXPIRY = "expiry"
    FACILITIES = "facilities"
    LANGUAGES = "languages"
    HOURS = "hours"
    PHONE = "phone"
    APPLICANT_NAME = "applicant_name"
    APPLICANT_ROLE = "applicant_role"
    SUMMARY = "summary"
    EDIT = "edit"


# Where "Edit a field" jumps to.
_FIRST_STEP_OF = {
    Part.NAME: Step.NAME,
    Part.WHERE: Step.WHERE,
    Part.ADDRESS: Step.ADDRESS,
    Part.KIND: Step.KIND,
    Part.SCHEMES: Step.SCHEMES,
    Part.FACILITIES: Step.FACILITIES,
    Part.LANGUAGES: Step.LANGUAGES,
    Part.HOURS: Step.HOURS,
    Part.PHONE: Step.PHONE,
    Part.APPLICANT_NAME: Step.APPLICANT_NAME,
    Part.APPLICANT_ROLE: Step.APPLICANT_ROLE,
}
# Questions answered with the buttons under them (anything else: "use the buttons").
_BUTTON_STEPS = {
    Step.WHERE_CHOOSE,
    Step.KIND,
    Step.SCHEMES,
    Step.FACILITIES,
    Step.SUMMARY,
    Step.EDIT,
}
_WHERE_STEPS = {Step.WHERE, Step.WHERE_CHOOSE, Step.WHERE_CONFIRM}


# --- reading the where step (shared with a venue's change of place) ----------------------


def _spot(found: Found) -> Spot:
    label = found.name or f"{found.point.latitude:.5f}, {found.point.longitude:.5f}"
    district = found.name.split(" ")[0] if found.approximate and found.name else None
    return Spot(found.point.latitude, found.point.longitude, label, district)


async def spots_for_text(context: NightSafeContext, text: str) -> list[Spot]:
    """The places a typed postcode, street or landmark may mean, inside the area."""
    if len(text) > MAX_PLACE_QUERY:
        raise InputError("registration.bad.too_long", limit=MAX_PLACE_QUERY)
    services = context.services
    result = await services.places.find(text)
    match result:
        case Found():
            spots = [_spot(result)]
        case Ambiguous(candidates=candidates):
            spots = [_spot(candidate) for candidate in candidates]
        case InvalidCoordinates(reason=reason):
            raise InputError(f"places.invalid_coordinates.{reason.value}")
        case NotFound():
            raise InputError("registration.bad.where_not_found")
    inside = [s for s in spots if _in_area(context, s.latitude, s.longitude)]
    if not inside:
        raise InputError("registration.bad.where_outside", partnership=services.partnership.name)
    return inside


def spot_for_location(context: NightSafeContext, update: Update) -> Spot:
    """A shared location: the venue's position, if it is a real one inside the area."""
    message = update.effective_message
    location = message.location if message else None
    if location is None or not valid_coordinates(location.latitude, location.longitude):
        raise InputError("registration.bad.where_unreadable")
    if not _in_area(context, location.latitude, location.longitude):
        raise InputError(
            "registration.bad.where_outside", partnership=context.services.partnership.name
        )
    label = f"{location.latitude:.5f}, {location.longitude:.5f}"
    return Spot(location.latitude, location.longitude, label)


def _in_area(context: NightSafeContext, latitude: float, longitude: float) -> bool:
    return context.services.settings.area.contains(Point(latitude, longitude))


def problem_text(error: InputError, language: str) -> Html:
    if isinstance(error, HoursInputError):
        return render.hours_problem(error.advice, language)
    return t(error.key, language, **error.values)


# --- the draft -----------------------------------------------------------------------------


def _data(context: NightSafeContext) -> dict[str, Any]:
    assert context.conversation is not None
    return context.conversation.data


def _today(context: NightSafeContext) -> date:
    return context.services.now().astimezone(context.services.zone).date()


def _scheme_names(context: NightSafeContext, keys: list[str]) -> list[str]:
    by_key = {scheme.key: scheme.name for scheme in context.services.partnership.schemes}
    return [by_key[key] for key in keys if key in by_key]


def _details(context: NightSafeContext) -> VenueDetails:
    data = _data(context)
    keys = [key for key in data.get("schemes", []) if key in _scheme_keys(context)]
    by_key = {scheme.key: scheme.name for scheme in context.services.partnership.schemes}
    expiry = data.get("expiry", {})
    return VenueDetails(
        name=data.get("name", ""),
        kind=VenueKind(data["kind"]) if "kind" in data else None,
        address=data.get("address"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        schemes=tuple(by_key[key] for key in keys),
        expiries={
            by_key[key]: date.fromisoformat(expiry[key]) if expiry.get(key) else None
            for key in keys
        },
        facilities=frozenset(Facility(value) for value in data.get("facilities", [])),
        languages=tuple(data.get("languages", [])),
        hours=data.get("hours"),
        phone=data.get("phone"),
    )


def _scheme_keys(context: NightSafeContext) -> list[str]:
    return [scheme.key for scheme in context.services.partnership.schemes]


def _question(context: NightSafeContext, step: str) -> Reply:
    data, language = _data(context), context.language
    partnership = context.services.partnership
    match step:
        case Step.NAME:
            return render.ask("registration.ask.name", language)
        case Step.WHERE:
            return render.where_question(language)
        case Step.WHERE_CHOOSE:
            spots = [Spot.from_data(value) for value in data.get("candidates", [])]
            return render.where_choices([s for s in spots if s], language)
        case Step.WHERE_CONFIRM:
            spot = Spot.from_data(data.get("candidate"))
            return render.where_confirm(spot, language) if spot else render.where_question(language)
        case Step.ADDRESS:
            return render.ask("registration.ask.address", language)
        case Step.KIND:
            return render.kind_question(language)
        case Step.SCHEMES:
            return render.schemes_question(partnership.schemes, data.get("schemes", []), language)
        case Step.EXPIRY:
            names = _scheme_names(context, data.get("schemes", []))
            index = min(data.get("expiry_index", 0), max(len(names) - 1, 0))
            return render.expiry_question(names[index] if names else "", language)
        case Step.FACILITIES:
            return render.facilities_question(data.get("facilities", []), language)
        case Step.LANGUAGES:
            return render.languages_question(data.get("languages", []), language)
        case Step.HOURS:
            return render.hours_question(language)
        case Step.PHONE:
            return render.ask("registration.ask.phone", language)
        case Step.APPLICANT_NAME:
            return render.ask("registration.ask.applicant_name", language)
        case Step.APPLICANT_ROLE:
            return render.ask("registration.ask.applicant_role", language)
        case Step.SUMMARY:
            return render.summary(
                _details(context),
                data.get("applicant_name", ""),
                data.get("applicant_role", ""),
                language,
            )
        case _:
            return render.edit_question(language)


async def _ask(
    update: Update, context: NightSafeContext, step: str, problem: Html | None = None
) -> str:
    if step == Step.SUMMARY:
        _data(context)["editing"] = True  # from now on, every edit comes back to the summary
    await send(update, context, render.with_problem(_question(context, step), problem))
    return step


async def _again(update: Update, context: NightSafeContext, error: InputError) -> str:
    """The same question again, after what was wrong with the answer."""
    state = context.conversation.state if context.conversation else Step.NAME
    await _ask(update, context, state, problem_text(error, context.language))
    return STAY


async def _then(update: Update, context: NightSafeContext, next_step: Step) -> str:
    """On to the next question, or back to the summary when a field was being edited."""
    if _data(context).get("editing"):
        return await _ask(update, context, Step.SUMMARY)
    return await _ask(update, context, next_step)


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


def _button(update: Update) -> tuple[str, str | None] | None:
    query = update.callback_query
    return render.decode(query.data if query else None, PREFIX)


StepCallback = Callable[[Update, NightSafeContext], Awaitable[str]]


def _reads(reader: StepCallback) -> StepCallback:
    """Turns an InputError raised while reading an answer into the same question again."""

    async def step(update: Update, context: NightSafeContext) -> str:
        try:
            return await reader(update, context)
        except InputError as error:
            if update.callback_query is not None:
                await update.callback_query.answer(
                    render.plain(problem_text(error, context.language))[:200], show_alert=True
                )
                return STAY
            return await _again(update, context, error)

    return step


# --- the steps -------------------------------------------------------------------------------


async def on_start(update: Update, context: NightSafeContext) -> str:
    services, user = context.services, update.effective_user
    async with services.sessions() as session:
        waiting = await applications.count_pending_by(session, user.id)
    limit = services.settings.registration_max_pending
    if waiting >= limit:
        await send(
            update,
            context,
            Reply(t("registration.too_many_pending", context.language, count=waiting)),
        )
        return END
    await send(update, context, render.intro(services.partnership.name, context.language))
    return Step.NAME


@_reads
async def on_name(update: Update, context: NightSafeContext) -> str:
    _data(context)["name"] = venue_input.venue_name(_text(update))
    return await _then(update, context, Step.WHERE)


@_reads
async def on_where_text(update: Update, context: NightSafeContext) -> str:
    spots = await spots_for_text(context, _text(update))
    data = _data(context)
    if len(spots) == 1:
        data["candidate"] = spots[0].as_data()
        return await _ask(update, context, Step.WHERE_CONFIRM)
    data["candidates"] = [spot.as_data() for spot in spots]
    return await _ask(update, context, Step.WHERE_CHOOSE)


@_reads
async def on_where_location(update: Update, context: NightSafeContext) -> str:
    spot = spot_for_location(context, update)
    _place(context, spot)
    return await _ask(update, context, Step.ADDRESS)


def _place(context: NightSafeContext, spot: Spot) -> None:
    data = _data(context)
    data["latitude"], data["longitude"] = spot.latitude, spot.longitude
    data.pop("candidate", None)
    data.pop("candidates", None)


async def on_where_choice(update: Update, context: NightSafeContext) -> str:
    button = _button(update)
    candidates = _data(context).get("candidates", [])
    argument = button[1] if button else None
    if argument is None or not argument.isdigit() or int(argument) >= len(candidates):
        return await _unexpected_button(update, context)
    await update.callback_query.answer()
    _data(context)["candidate"] = candidates[int(argument)]
    return await _ask(update, context, Step.WHERE_CONFIRM)


async def on_where_yes(update: Update, context: NightSafeContext) -> str:
    spot = Spot.from_data(_data(context).get("candidate"))
    if spot is None:
        return await _unexpected_button(update, context)
    await update.callback_query.answer()
    _place(context, spot)
    return await _ask(update, context, Step.ADDRESS)


async def on_where_no(update: Update, context: NightSafeContext) -> str:
    await update.callback_query.answer()
    _data(context).pop("candidate", None)
    return await _ask(update, context, Step.WHERE)


@_reads
async def on_address(update: Update, context: NightSafeContext) -> str:
    address, postcode = venue_input.address(_text(update))
    data = _data(context)
    data["address"], data["postcode"] = address, postcode
    return await _then(update, context, Step.KIND)


async def on_kind(update: Update, context: NightSafeContext) -> str:
    button = _button(update)
    kind = render.KIND_CODES.get(button[1] or "") if button else None
    if kind is None:
        return await _unexpected_button(update, context)
    await update.callback_query.answer()
    data = _data(context)
    data["kind"] = kind.value
    # A Safe Haven is one under the partnership's Safe Haven scheme: offer it ticked.
    if kind is VenueKind.SAFE_HAVEN and not data.get("schemes"):
        data["schemes"] = [
            key for key in _scheme_keys(context) if key == VenueKind.SAFE_HAVEN.value
        ]
    return await _then(update, context, Step.SCHEMES)


def _toggled(chosen: list[str], value: str) -> list[str]:
    return [c for c in chosen if c != value] if value in chosen else [*chosen, value]


async def on_schemes(update: Update, context: NightSafeContext) -> str:
    button, data, query = _button(update), _data(context), update.callback_query
    keys = _scheme_keys(context)
    argument = button[1] if button else None
    if argument == "ok":
        chosen = [key for key in keys if key in data.get("schemes", [])]
        if not chosen:
            await query.answer(
                t("registration.bad.schemes_none", context.language), show_alert=True
            )
            return STAY
        await query.answer()
        data["schemes"] = chosen
        data["expiry_index"] = 0
        data["expiry"] = {k: v for k, v in data.get("expiry", {}).items() if k in chosen}
        return await _ask(update, context, Step.EXPIRY)
    if argument is None or not argument.isdigit() or int(argument) >= len(keys):
        return await _unexpected_button(update, context)
    await query.answer()
    data["schemes"] = _toggled(data.get("schemes", []), keys[int(argument)])
    await edit(query, _question(context, Step.SCHEMES), context)
    return STAY


async def _next_expiry(update: Update, context: NightSafeContext, last_day: date | None) -> str:
    data = _data(context)
    keys = [key for key in data.get("schemes", []) if key in _scheme_keys(context)]
    index = data.get("expiry_index", 0)
    if index < len(keys):
        data.setdefault("expiry", {})[keys[index]] = last_day.isoformat() if last_day else None
    data["expiry_index"] = index + 1
    if index + 1 < len(keys):
        return await _ask(update, context, Step.EXPIRY)
    return await _then(update, context, Step.FACILITIES)


@_reads
async def on_expiry_text(update: Update, context: NightSafeContext) -> str:
    last_day = venue_input.expiry_date(_text(update), _today(context))
    return await _next_expiry(update, context, last_day)


async def on_no_expiry(update: Update, context: NightSafeContext) -> str:
    await update.callback_query.answer()
    return await _next_expiry(update, context, None)


async def on_facilities(update: Update, context: NightSafeContext) -> str:
    button, data, query = _button(update), _data(context), update.callback_query
    argument = button[1] if button else None
    facilities = list(Facility)
    if argument == "ok":
        await query.answer()
        return await _then(update, context, Step.LANGUAGES)
    if argument is None or not argument.isdigit() or int(argument) >= len(facilities):
        return await _unexpected_button(update, context)
    await query.answer()
    data["facilities"] = _toggled(data.get("facilities", []), facilities[int(argument)].value)
    await edit(query, _question(context, Step.FACILITIES), context)
    return STAY


async def on_languages(update: Update, context: NightSafeContext) -> str:
    button, data, query = _button(update), _data(context), update.callback_query
    argument = button[1] if button else None
    chosen = data.get("languages", [])
    options = render.language_options(chosen)
    if argument == "ok":
        await query.answer()
        return await _then(update, context, Step.HOURS)
    if argument is None or not argument.isdigit() or int(argument) >= len(options):
        return await _unexpected_button(update, context)
    code = options[int(argument)]
    if code not in chosen and len(chosen) >= venue_input.MAX_LANGUAGES:
        full = t(
            "registration.bad.languages_full", context.language, limit=venue_input.MAX_LANGUAGES
        )
        await query.answer(full, show_alert=True)
        return STAY
    await query.answer()
    data["languages"] = _toggled(chosen, code)
    await edit(query, _question(context, Step.LANGUAGES), context)
    return STAY


@_reads
async def on_language_text(update: Update, context: NightSafeContext) -> str:
    code = venue_input.language(_text(update))
    data = _data(context)
    chosen = data.get("languages", [])
    if code not in chosen:
        if len(chosen) >= venue_input.MAX_LANGUAGES:
            raise InputError("registration.bad.languages_full", limit=venue_input.MAX_LANGUAGES)
        data["languages"] = [*chosen, code]
    return await _ask(update, context, Step.LANGUAGES)


@_reads
async def on_hours_text(update: Update, context: NightSafeContext) -> str:
    services = context.services
    hours = venue_input.opening_hours(_text(update), services.now(), services.settings.timezone)
    _data(context)["hours"] = hours
    return await _then(update, context, Step.PHONE)


async def on_hours_preset(update: Update, context: NightSafeContext) -> str:
    button = _button(update)
    argument = button[1] if button else None
    if argument is None or not argument.isdigit() or int(argument) >= len(render.HOURS_PRESETS):
        return await _unexpected_button(update, context)
    await update.callback_query.answer()
    _data(context)["hours"] = render.HOURS_PRESETS[int(argument)][1]
    return await _then(update, context, Step.PHONE)


@_reads
async def on_phone(update: Update, context: NightSafeContext) -> str:
    _data(context)["phone"] = venue_input.phone(_text(update))
    return await _then(update, context, Step.APPLICANT_NAME)


@_reads
async def on_applicant_name(update: Update, context: NightSafeContext) -> str:
    _data(context)["applicant_name"] = venue_input.person_text(_text(update))
    return await _then(update, context, Step.APPLICANT_ROLE)


@_reads
async def on_applicant_role(update: Update, context: NightSafeContext) -> str:
    _data(context)["applicant_role"] = venue_input.person_text(_text(update))
    return await _ask(update, context, Step.SUMMARY)


async def on_summary(update: Update, context: NightSafeContext) -> str:
    button, query = _button(update), update.callback_query
    action = button[0] if button else None
    if action == "ok":
        await query.answer()
        return await _submit(update, context)
    if action == "ed":
        await query.answer()
        return await _ask(update, context, Step.EDIT)
    if action == "no":
        await query.answer()
        return await on_cancel(update, context)
    return await _unexpected_button(update, context)


async def on_edit(update: Update, context: NightSafeContext) -> str:
    button = _button(update)
    argument = button[1] if button else None
    if argument == "back":
        await update.callback_query.answer()
        return await _ask(update, context, Step.SUMMARY)
    step = _FIRST_STEP_OF.get(argument or "")
    if step is None:
        return await _unexpected_button(update, context)
    await update.callback_query.answer()
    _data(context)["editing"] = True
    return await _ask(update, context, step)


async def on_cancel(update: Update, context: NightSafeContext) -> str:
    await send(update, context, Reply(t("registration.cancelled", context.language)))
    return END


# --- submitting ------------------------------------------------------------------------------


def _draft(context: NightSafeContext) -> VenueDraft:
    data = _data(context)
    names = _scheme_names(context, data["schemes"])
    return VenueDraft(
        name=data["name"],
        kind=VenueKind(data["kind"]),
        address=data["address"],
        postcode=data.get("postcode"),
        latitude=float(data["latitude"]),
        longitude=float(data["longitude"]),
        opening_hours=data["hours"],
        phone=data.get("phone"),
        schemes=tuple(names),
        facilities=frozenset(Facility(value) for value in data.get("facilities", [])),
        languages=tuple(data.get("languages", [])),
    )


_REQUIRED = ("name", "latitude", "longitude", "address", "kind", "schemes", "hours", "phone")


async def _submit(update: Update, context: NightSafeContext) -> str:
    data, services, language = _data(context), context.services, context.language
    missing = [key for key in _REQUIRED if not data.get(key)]
    if missing:  # an old draft from before a field existed: ask for what is missing
        step = {"latitude": Step.WHERE, "longitude": Step.WHERE, "schemes": Step.SCHEMES}
        return await _ask(update, context, step.get(missing[0], Step(missing[0])))
    user, chat = update.effective_user, update.effective_chat
    details = _details(context)
    async with services.sessions() as session, session.begin():
        waiting = await applications.count_pending_by(session, user.id)
        if waiting >= services.settings.registration_max_pending:
            await send(
                update, context, Reply(t("registration.too_many_pending", language, count=waiting))
            )
            return END
        venue = await repository.add_venue(session, _draft(context))
        await accreditations.record(session, venue.id, dict(details.expiries), services.now())
        application = await applications.submit(
            session,
            venue_id=venue.id,
            purpose=Purpose.NEW,
            applicant=Applicant(
                user_id=user.id,
                chat_id=chat.id,
                name=data["applicant_name"],
                role=data["applicant_role"],
            ),
            at=services.now(),
        )
    await send(
        update,
        context,
        Reply(
            t(
                "registration.submitted",
                language,
                name=venue.name,
                partnership=services.partnership.name,
            )
        ),
    )
    await review.send_review_cards(context, application.id)
    return END


# --- the unexpected, the stale and the slow -----------------------------------------------


async def _unexpected_button(update: Update, context: NightSafeContext) -> str:
    state = context.conversation.state if context.conversation else Step.NAME
    await on_unexpected(update, context, state)
    return STAY


async def on_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    """Something that isn't an answer to this question: say so, and ask it again."""
    language = context.language
    if update.callback_query is not None:
        await update.callback_query.answer(t("registration.bad.button", language), show_alert=True)
        key = "registration.bad.button"
    elif state in _BUTTON_STEPS:
        key = "registration.bad.button"
    elif state in _WHERE_STEPS:
        key = "registration.bad.text_or_location"
    else:
        key = "registration.bad.type_answer"
    await _ask(update, context, state, t(key, language))


async def on_timeout(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, t("registration.timed_out"))


async def on_stale_button(update: Update, context: NightSafeContext) -> None:
    """A /register button pressed when no registration is going on (old, or forged)."""
    await update.callback_query.answer(
        t("registration.stale_button", context.language), show_alert=True
    )


# --- wiring ----------------------------------------------------------------------------------

_MAIN_KEYBOARD = button_filter("keyboard.night_stars") | button_filter("keyboard.alerts")
TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & ~_MAIN_KEYBOARD
LOCATION = filters.UpdateType.MESSAGE & filters.LOCATION


def _on(action: str, callback: Any) -> CallbackQueryHandler[NightSafeContext, Any]:
    return CallbackQueryHandler(callback, pattern=render.pattern(PREFIX, action))


def conversation(settings: Settings) -> Conversation:
    where = [MessageHandler(TEXT, on_where_text), MessageHandler(LOCATION, on_where_location)]
    return Conversation(
        name=CONVERSATION_NAME,
        entry_points=[CommandHandler(commands.REGISTER.name, on_start)],
        states={
            Step.NAME: [MessageHandler(TEXT, on_name)],
            Step.WHERE: where,
            Step.WHERE_CHOOSE: [_on("p", on_where_choice), *where],
            Step.WHERE_CONFIRM: [_on("y", on_where_yes), _on("n", on_where_no), *where],
            Step.ADDRESS: [MessageHandler(TEXT, on_address)],
            Step.KIND: [_on("k", on_kind)],
            Step.SCHEMES: [_on("s", on_schemes)],
            Step.EXPIRY: [MessageHandler(TEXT, on_expiry_text), _on("x", on_no_expiry)],
            Step.FACILITIES: [_on("f", on_facilities)],
            Step.LANGUAGES: [_on("l", on_languages), MessageHandler(TEXT, on_language_text)],
            Step.HOURS: [_on("h", on_hours_preset), MessageHandler(TEXT, on_hours_text)],
            Step.PHONE: [MessageHandler(TEXT, on_phone)],
            Step.APPLICANT_NAME: [MessageHandler(TEXT, on_applicant_name)],
            Step.APPLICANT_ROLE: [MessageHandler(TEXT, on_applicant_role)],
            Step.SUMMARY: [_on("ok", on_summary), _on("ed", on_summary), _on("no", on_summary)],
            Step.EDIT: [_on("e", on_edit)],
        },
        fallbacks=[CommandHandler(commands.CANCEL.name, on_cancel), *review.passing_buttons()],
        on_unexpected=on_unexpected,
        on_timeout=on_timeout,
        timeout=timedelta(minutes=settings.registration_timeout_minutes),
    )


def handlers() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [CallbackQueryHandler(on_stale_button, pattern=rf"^{PREFIX}\|")]
