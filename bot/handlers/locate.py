"""Nearby places: a shared location, a typed place, and the buttons under the answer.

The person's position is used for this answer and then forgotten: it is never
stored or logged. Buttons carry it in their own data (kept by Telegram in the
person's chat), so "More" and the filters work without the bot keeping it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import render
from bot.callbacks import (
    NEARBY_PREFIX,
    PLACE_PREFIX,
    NearbyQuery,
    decode_nearby,
    decode_place,
    valid_coordinates,
)
from bot.context import NightSafeContext
from bot.handlers.common import drop_if_discreet, edit, send
from bot.texts import t
from venues.model import Point
from venues.nearby import NearbyAnswer, find_nearby
from venues.places import Ambiguous, Found, InvalidCoordinates, NotFound, PlaceKind, place_key

_MAX_QUERY_LENGTH = 200


async def nearby_answer(
    context: NightSafeContext, query: NearbyQuery, *, place: Found | None = None
) -> tuple[NearbyAnswer, render.Reply] | None:
    """The places near a query (around its point, or a named place), and their reply."""
    services = context.services
    point = place.point if place else query.point
    if point is None:
        return None
    index = await services.catalogue.current()
    now = services.now()
    answer = find_nearby(
        index,
        point,
        now,
        limit=query.limit,
        include_closed=query.include_closed,
        facilities=query.facilities,
        radius_m=services.settings.search_radius_m,
    )
    reply = render.nearby(
        answer,
        query,
        now=now,
        zone=services.zone,
        radius_m=services.settings.search_radius_m,
        emergency_number=services.partnership.emergency.emergency_numbers[0],
        language=context.language,
        place_name=place.name if place else None,
        approximate_district=place.name.split(" ")[0] if place and place.approximate else None,
        outside_area=not services.settings.area.contains(point),
    )
    return answer, reply


async def nearby_reply(
    context: NightSafeContext, query: NearbyQuery, *, place: Found | None = None
) -> render.Reply | None:
    """The nearby answer's reply alone."""
    found = await nearby_answer(context, query, place=place)
    return found[1] if found else None


def _query_for(place: Found) -> NearbyQuery:
    if place.kind is PlaceKind.COORDINATES or not place.name:
        return NearbyQuery(point=place.point)
    return NearbyQuery(place_key=place_key(place.name), point=place.point)


def _place_for(context: NightSafeContext, query: NearbyQuery) -> Found | None:
    if query.place_key is None:
        return None
    place = context.services.places.gazetteer.by_key(query.place_key)
    if place is None:
        return None
    return Found(name=place.name, kind=place.kind, point=place.point, zone=place.zone)


async def on_location(update: Update, context: NightSafeContext) -> None:
    location = update.effective_message.location if update.effective_message else None
    if location is None or not valid_coordinates(location.latitude, location.longitude):
        await send(update, context, render.Reply(t("places.bad_location", context.language)))
        return
    query = NearbyQuery(point=Point(location.latitude, location.longitude))
    reply = await nearby_reply(context, query)
    if reply is not None:
        await send(update, context, reply)
        await drop_if_discreet(update, context)


async def on_place_text(update: Update, context: NightSafeContext) -> None:
    message = update.effective_message
    text = (message.text or "") if message else ""
    language = context.language
    if len(text) > _MAX_QUERY_LENGTH:
        await send(update, context, render.Reply(t("places.too_long", language)))
        return
    result = await context.services.places.find(text)
    match result:
        case Found():
            reply = await nearby_reply(context, _query_for(result), place=_shown(result))
        case Ambiguous(candidates=candidates):
            reply = render.place_choices(candidates, language)
        case InvalidCoordinates(reason=reason):
            reply = render.Reply(t(f"places.invalid_coordinates.{reason.value}", language))
        case NotFound():
            reply = render.Reply(t("places.not_found", language))
    if reply is not None:
        await send(update, context, reply)
        if isinstance(result, Found | Ambiguous):
            await drop_if_discreet(update, context)


def _shown(place: Found) -> Found | None:
    """Coordinates typed as text answer like a shared location: no place name."""
    return None if place.kind is PlaceKind.COORDINATES else place


async def on_nearby_button(update: Update, context: NightSafeContext) -> None:
    callback = update.callback_query
    query = decode_nearby(callback.data)
    place = _place_for(context, query) if query else None
    reply = None
    if query is not None and (query.point is not None or place is not None):
        reply = await nearby_reply(context, query, place=place)
    if reply is None or callback.message is None or not callback.message.is_accessible:
        await callback.answer(t("callback.expired", context.language), show_alert=True)
        return
    await callback.answer()
    await edit(callback, reply, context)


async def on_place_button(update: Update, context: NightSafeContext) -> None:
    callback = update.callback_query
    key = decode_place(callback.data)
    place = _place_for(context, NearbyQuery(place_key=key)) if key else None
    if place is None:
        await callback.answer(t("callback.expired", context.language), show_alert=True)
        return
    await callback.answer()
    reply = await nearby_reply(context, _query_for(place), place=place)
    if reply is not None:
        await send(update, context, reply)


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, on_location),
        CallbackQueryHandler(on_nearby_button, pattern=rf"^{NEARBY_PREFIX}\|"),
        CallbackQueryHandler(on_place_button, pattern=rf"^{PLACE_PREFIX}\|"),
    ]


def text_handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    """Typed places: registered last, after every more specific text handler."""
    return [
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_place_text)
    ]
