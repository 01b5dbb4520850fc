"""Inline mode: `@bot soho` or `@bot` with the location the app sends, in any chat.

Friends agreeing on a meeting point get open places as cards, by the same open-now
rules as every other answer. A query that reads like an emergency gets the
emergency guidance first. Nothing about the query is kept.
"""

from __future__ import annotations

from telegram import InlineQueryResult, InlineQueryResultsButton, Update
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.callbacks import valid_coordinates
from bot.context import NightSafeContext
from bot.render import inline as render_inline
from venues.emergency import looks_like_emergency
from venues.model import Point
from venues.nearby import find_nearby
from venues.places import Ambiguous, Found

# Longer than any place name or postcode (Telegram allows 256 characters).
_MAX_QUERY_LENGTH = 200
_MAX_RESULTS = 8


async def _origin(context: NightSafeContext, text: str) -> Point | None:
    """The point a typed query names, if it names one."""
    if len(text) > _MAX_QUERY_LENGTH:
        return None
    match await context.services.places.find(text):
        case Found(point=point):
            return point
        case Ambiguous(candidates=candidates):
            return candidates[0].point  # best first; the cards say which places they are
        case _:
            return None


async def _nearby(context: NightSafeContext, point: Point) -> list[InlineQueryResult]:
    services = context.services
    index = await services.catalogue.current()
    now = services.now()
    answer = find_nearby(
        index, point, now, limit=_MAX_RESULTS, radius_m=services.settings.search_radius_m
    )
    return render_inline.nearby_results(
        answer,
        now=now,
        zone=services.zone,
        partnership=services.partnership,
        language=context.language,
    )


async def on_inline_query(update: Update, context: NightSafeContext) -> None:
    query = update.inline_query
    if query is None:
        return
    language = context.language
    partnership = context.services.partnership
    text = query.query.strip()
    results: list[InlineQueryResult] = []
    if looks_like_emergency(text):
        results.append(render_inline.emergency_result(partnership, language))
    button: InlineQueryResultsButton | None = None
    if text:
        point = await _origin(context, text)
        if point is None and not results:
            button = render_inline.not_found_button(language)
    else:
        location = query.location
        point = None
        if location is not None and valid_coordinates(location.latitude, location.longitude):
            point = Point(location.latitude, location.longitude)
        else:
            button = render_inline.share_location_button(language)
    if point is not None:
        results.extend(await _nearby(context, point))
    await query.answer(
        results,
        cache_time=context.services.settings.inline_cache_seconds,
        # An answer around the person's own location is for them only.
        is_personal=not text,
        button=button,
    )


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [InlineQueryHandler(on_inline_query)]
