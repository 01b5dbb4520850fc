"""Inline mode: nearby open places as cards a person can drop into any chat.

Each result is listed with the place's kind, distance and open state; choosing it
sends the venue card (escaped HTML, with a Directions link) into the chat, stamped
with when its open state was checked. Titles, descriptions and button labels are
plain text in the Bot API, so they are the same texts with the markup taken out.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)

from bot.render import distance, emergency, kind_badge, open_state, venue_card
from bot.texts import Html, join, t
from venues.locator import NearbyVenue
from venues.nearby import NearbyAnswer
from venues.partnership import Partnership

# Opens a private chat with the bot at /start (its intro and "Share my location" button).
START_PARAMETER = "inline"
_TAG = re.compile(r"<[^>]*>")


def plain(text: Html) -> str:
    """Escaped HTML as the plain text it shows."""
    return html.unescape(_TAG.sub("", text))


def nearby_results(
    answer: NearbyAnswer,
    *,
    now: datetime,
    zone: ZoneInfo,
    partnership: Partnership,
    language: str,
) -> list[InlineQueryResult]:
    """Open places near the point, nearest first; when none is near, the nearest open
    one however far; when nothing at all is open, one result that says so."""
    places = [place for place in answer.places if place.state.is_open]
    if places:
        return [
            _place(place, "inline.description", now, zone, partnership, language)
            for place in places
        ]
    if answer.nearest_open_far is not None:
        far = answer.nearest_open_far
        return [_place(far, "inline.far_description", now, zone, partnership, language)]
    return [_nothing_open(partnership, language)]


def _place(
    place: NearbyVenue,
    description_key: str,
    now: datetime,
    zone: ZoneInfo,
    partnership: Partnership,
    language: str,
) -> InlineQueryResultArticle:
    venue = place.venue
    card = venue_card(
        venue,
        listed=True,
        now=now,
        zone=zone,
        partnership_name=partnership.name,
        language=language,
        state=place.state,
    )
    description = t(
        description_key,
        language,
        badge=kind_badge(venue.kind, language),
        distance=distance(place.distance_m, language),
        state=open_state(place.state, now, zone, language),
    )
    return InlineQueryResultArticle(
        id=f"v{venue.id}",
        title=plain(t("inline.title", language, name=venue.name)),
        description=plain(description),
        input_message_content=InputTextMessageContent(
            join([card.text, _checked_at(now, zone, language)], "\n\n")
        ),
        reply_markup=card.keyboard if isinstance(card.keyboard, InlineKeyboardMarkup) else None,
    )


def _checked_at(now: datetime, zone: ZoneInfo, language: str) -> Html:
    local = now.astimezone(zone)
    day = t(f"weekday.{local.weekday()}", language)
    return t("inline.checked_at", language, day=day, time=local.strftime("%H:%M"))


def _nothing_open(partnership: Partnership, language: str) -> InlineQueryResultArticle:
    number = partnership.emergency.emergency_numbers[0]
    text = join(
        [t("nearby.none_open", language), t("emergency.line", language, emergency_number=number)],
        "\n\n",
    )
    return InlineQueryResultArticle(
        id="none-open",
        title=plain(t("inline.none_open_title", language)),
        description=plain(t("inline.none_open_description", language, emergency_number=number)),
        input_message_content=InputTextMessageContent(text),
    )


def emergency_result(partnership: Partnership, language: str) -> InlineQueryResultArticle:
    """What to do now, first of all, when the query reads like an emergency."""
    number = partnership.emergency.emergency_numbers[0]
    return InlineQueryResultArticle(
        id="emergency",
        title=plain(t("inline.emergency_title", language, emergency_number=number)),
        description=plain(t("inline.emergency_description", language)),
        input_message_content=InputTextMessageContent(
            emergency(partnership.emergency, language).text
        ),
    )


def share_location_button(language: str) -> InlineQueryResultsButton:
    return InlineQueryResultsButton(
        plain(t("inline.button.share_location", language)), start_parameter=START_PARAMETER
    )


def not_found_button(language: str) -> InlineQueryResultsButton:
    return InlineQueryResultsButton(
        plain(t("inline.button.not_found", language)), start_parameter=START_PARAMETER
    )
