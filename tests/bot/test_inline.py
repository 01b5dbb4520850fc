"""Inline mode: `@bot soho` or `@bot` with the app's location drops open places, as
cards, into any chat; the same open-now rules as every other answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.bot.nightsafe import NightSafe
from venues import repository
from venues.hours import open_state
from venues.locator import nearest_brute_force
from venues.model import Point, Venue

SOHO = Point(51.5136, -0.1340)  # the gazetteer's Soho
LEICESTER_SQUARE = Point(51.51030, -0.13010)
BRIXTON = Point(51.4610, -0.1150)
TUESDAY_AFTERNOON = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
SHARE_LOCATION = "📍 Share your location with the bot"
NOT_FOUND = "🔎 Place not found: try a street, station or postcode"


async def _ask(bot: NightSafe, query: str, location: Point | None = None) -> dict[str, Any]:
    alex = bot.user()
    where = (location.latitude, location.longitude) if location else None
    return await alex.inline_answer(await alex.inline_query(query, location=where))


async def _public_venues(bot: NightSafe) -> list[Venue]:
    async with bot.services.sessions() as session:
        return await repository.list_public_venues(session)


async def _open_nearest(bot: NightSafe, point: Point, k: int = 8) -> list[str]:
    nearest = nearest_brute_force(
        await _public_venues(bot), point, k, at=bot.clock.now, open_only=True, max_distance_m=1500
    )
    return [place.venue.name for place in nearest]


async def test_inline_place_name_offers_the_nearest_open_places_as_cards(
    nightsafe: NightSafe,
) -> None:
    answer = await _ask(nightsafe, "soho")
    results = answer["results"]
    assert [result["title"] for result in results] == await _open_nearest(nightsafe, SOHO)
    first = results[0]
    assert first["type"] == "article"
    assert re.fullmatch(
        r"(🛡️ Safe Haven|✅ Accredited venue) · \d+ m away · (open until \d\d:\d\d|open 24 hours)",
        first["description"],
    )
    card = first["input_message_content"]
    assert card["parse_mode"] == "HTML"
    assert f"<b>{first['title']}</b>" in card["message_text"]
    assert "Checked on NightSafe on Sat at 23:40" in card["message_text"]
    button = first["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "🧭 Directions"
    assert button["url"].startswith("https://www.google.com/maps/dir/?api=1&destination=")
    # The same for everyone who types it, and not for long: what is open changes.
    assert answer["is_personal"] is False
    assert answer["cache_time"] == 60
    assert answer["button"] is None


async def test_inline_card_escapes_what_it_shows(nightsafe: NightSafe) -> None:
    results = (await _ask(nightsafe, "greek street"))["results"]
    maggies = next(r for r in results if r["title"].startswith("Demo Maggie's Bar & Kitchen"))
    text = maggies["input_message_content"]["message_text"]
    assert "<b>Demo Maggie&#x27;s Bar &amp; Kitchen — Greek Street</b>" in text


async def test_inline_with_the_apps_location_is_personal(nightsafe: NightSafe) -> None:
    answer = await _ask(nightsafe, "", location=LEICESTER_SQUARE)
    titles = [result["title"] for result in answer["results"]]
    assert titles == await _open_nearest(nightsafe, LEICESTER_SQUARE)
    assert answer["is_personal"] is True
    assert answer["button"] is None


async def test_inline_empty_without_location_asks_to_share_it(nightsafe: NightSafe) -> None:
    answer = await _ask(nightsafe, "")
    assert answer["results"] == []
    assert answer["button"] == {"text": SHARE_LOCATION, "start_parameter": "inline"}
    # The button opens the bot at /start inline: its intro, with the share button.
    alex = nightsafe.user()
    await alex.send_command("/start", "inline")
    reply = await alex.next_reply()
    assert "Share your location" in (reply.text or "")
    assert alex.chat.reply_keyboard is not None


@pytest.mark.parametrize(
    "query",
    [
        "xyzzy qwerty",
        "<b>&amp;</b>",
        "💣💣💣",
        "51.5, 200",  # impossible coordinates
        "'; DROP TABLE venues; --",
        "x" * 255,
        "\u202e\u0000 ?!",
    ],
)
async def test_inline_unknown_or_garbage_gets_a_hint_not_an_error(
    nightsafe: NightSafe, query: str
) -> None:
    answer = await _ask(nightsafe, query)
    assert answer["results"] == []
    assert answer["button"] == {"text": NOT_FOUND, "start_parameter": "inline"}


async def test_inline_never_offers_a_closed_place(nightsafe: NightSafe) -> None:
    nightsafe.clock.now = TUESDAY_AFTERNOON
    by_name = {venue.name: venue for venue in await _public_venues(nightsafe)}
    # The nearest open venue is closed tonight by its staff: it is not offered either.
    nearest = (await _open_nearest(nightsafe, LEICESTER_SQUARE))[0]
    async with nightsafe.services.sessions() as session, session.begin():
        await repository.set_closed_until(
            session, by_name[nearest].id, datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
        )
    await nightsafe.services.catalogue.refresh()
    answer = await _ask(nightsafe, "leicester square")
    titles = [result["title"] for result in answer["results"]]
    assert titles, "nothing offered: the check would prove nothing"
    assert nearest not in titles
    assert titles == await _open_nearest(nightsafe, LEICESTER_SQUARE)
    for title in titles:
        venue = by_name[title]
        now = nightsafe.clock.now
        assert open_state(venue.opening_hours, now, closed_until=venue.closed_until).is_open
    assert all("closed" not in result["description"] for result in answer["results"])


async def test_inline_far_from_anything_open_offers_the_nearest_open_place(
    nightsafe: NightSafe,
) -> None:
    nightsafe.clock.now = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
    answer = await _ask(nightsafe, "", location=BRIXTON)
    nearest = nearest_brute_force(
        await _public_venues(nightsafe), BRIXTON, 1, at=nightsafe.clock.now, open_only=True
    )[0]
    [result] = answer["results"]
    assert result["title"] == nearest.venue.name
    assert "nearest open place, " in result["description"]
    assert " km away" in result["description"]


async def test_inline_with_nothing_open_anywhere_says_so(nightsafe: NightSafe) -> None:
    async with nightsafe.services.sessions() as session, session.begin():
        for venue in await repository.list_public_venues(session):
            await repository.set_closed_until(
                session, venue.id, datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
            )
    await nightsafe.services.catalogue.refresh()
    [result] = (await _ask(nightsafe, "soho"))["results"]
    assert result["title"] == "Nothing on NightSafe's list is open right now"
    assert "In an emergency call <b>999</b>." in result["input_message_content"]["message_text"]


async def test_inline_query_that_reads_like_an_emergency_puts_guidance_first(
    nightsafe: NightSafe,
) -> None:
    answer = await _ask(nightsafe, "help i've been spiked")
    first = answer["results"][0]
    assert first["title"] == "🆘 In danger now? Call 999"
    assert "Call <b>999</b>" in first["input_message_content"]["message_text"]
    assert answer["button"] is None
