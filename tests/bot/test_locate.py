"""A shared location answers with the nearest places open now — the SPEC's good answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from bot.local_api.state import ChatMessage
from tests.bot.nightsafe import NightSafe
from venues import repository
from venues.hours import open_state
from venues.locator import nearest_brute_force
from venues.model import Facility, Point, Venue

LEICESTER_SQUARE = Point(51.51030, -0.13010)
TUESDAY_AFTERNOON = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


async def _public_venues(nightsafe: NightSafe) -> list[Venue]:
    async with nightsafe.services.sessions() as session:
        return await repository.list_public_venues(session)


def _listed_names(text: str) -> list[str]:
    """Venue names in the numbered list of an answer, in order."""
    return re.findall(r"^\d+\. \S+ [^\n]*?(Demo [^\n]+?)\n", text, flags=re.M)


async def _share(nightsafe: NightSafe, point: Point) -> tuple[ChatMessage, ChatMessage]:
    alex = nightsafe.user()
    await alex.send_location(point.latitude, point.longitude)
    pin, answer = await alex.next_replies(2)
    return pin, answer


async def test_location_lists_nearest_open_places_in_true_order(nightsafe: NightSafe) -> None:
    pin, answer = await _share(nightsafe, LEICESTER_SQUARE)
    venues = await _public_venues(nightsafe)
    expected = nearest_brute_force(
        venues, LEICESTER_SQUARE, 5, at=nightsafe.clock.now, open_only=True, max_distance_m=1500
    )
    assert _listed_names(answer.text) == [n.venue.name for n in expected]
    assert answer.text.startswith("Open near you now · Sat 23:40")
    first = expected[0]
    # Name, kind, distance, walking minutes, open until, address, phone: all there.
    assert f"{round(first.distance_m, -1):.0f} m · 🚶 {first.walking_minutes} min" in answer.text
    assert first.venue.address in answer.text
    assert first.venue.phone in answer.text
    assert "open until" in answer.text
    assert "🆘 In an emergency call 999." in answer.text
    # A venue pin for the nearest one, sent first.
    assert pin.venue["title"] == first.venue.name
    assert pin.location["latitude"] == first.venue.latitude


async def test_location_never_shows_a_closed_place_as_open(nightsafe: NightSafe) -> None:
    _, answer = await _share(nightsafe, LEICESTER_SQUARE)
    now = nightsafe.clock.now
    by_name = {venue.name: venue for venue in await _public_venues(nightsafe)}
    names = _listed_names(answer.text)
    assert len(names) == 5
    for name in names:
        venue = by_name[name]
        assert open_state(venue.opening_hours, now, closed_until=venue.closed_until).is_open


async def test_location_buttons_give_directions_more_closed_and_filters(
    nightsafe: NightSafe,
) -> None:
    _, answer = await _share(nightsafe, LEICESTER_SQUARE)
    assert answer.buttons == [
        ["🧭 Directions", "➕ More", "🕘 Include closed"],
        ["👩 Female staff", "♿ Step-free"],
        ["🚻 Toilets", "🔌 Charging"],
    ]
    directions = answer.reply_markup["inline_keyboard"][0][0]["url"]
    query = parse_qs(urlparse(directions).query)
    nearest = _listed_names(answer.text)[0]
    venue = next(v for v in await _public_venues(nightsafe) if v.name == nearest)
    assert query["destination"] == [f"{venue.latitude:.6f},{venue.longitude:.6f}"]
    assert query["travelmode"] == ["walking"]


async def _press_and_wait_edit(nightsafe: NightSafe, label: str) -> ChatMessage:
    alex = nightsafe.user()
    edits = nightsafe.server.calls_to
    before = len(edits("editMessageText"))
    await alex.press(label)
    await nightsafe.server.wait_for(lambda _: len(edits("editMessageText")) > before)
    return alex.transcript().messages[-1]


async def test_more_shows_the_next_places(nightsafe: NightSafe) -> None:
    _, answer = await _share(nightsafe, LEICESTER_SQUARE)
    first_five = _listed_names(answer.text)
    edited = await _press_and_wait_edit(nightsafe, "➕ More")
    names = _listed_names(edited.text)
    assert names[:5] == first_five
    assert len(names) == 10


async def test_include_closed_says_why_and_when_they_open(nightsafe: NightSafe) -> None:
    nightsafe.clock.now = TUESDAY_AFTERNOON
    _, answer = await _share(nightsafe, LEICESTER_SQUARE)
    assert "closed now" not in answer.text
    edited = await _press_and_wait_edit(nightsafe, "🕘 Include closed")
    assert edited.text.startswith("Near you, open or not · Tue 14:00")
    assert re.search(r"closed now, opens (\w{3} )?\d\d:\d\d", edited.text)
    assert "✅ Only open now" in edited.buttons[0]


async def test_facility_filter_keeps_only_matching_places(nightsafe: NightSafe) -> None:
    await _share(nightsafe, LEICESTER_SQUARE)
    edited = await _press_and_wait_edit(nightsafe, "♿ Step-free")
    by_name = {venue.name: venue for venue in await _public_venues(nightsafe)}
    names = _listed_names(edited.text)
    assert names
    assert all(Facility.STEP_FREE in by_name[name].facilities for name in names)
    assert "Only places with: ♿ step-free" in edited.text
    assert "✓ ♿ Step-free" in edited.buttons[1]
    # Pressing it again lifts the filter.
    edited = await _press_and_wait_edit(nightsafe, "✓ ♿ Step-free")
    assert "Only places with" not in edited.text


async def test_nothing_open_nearby_gives_nearest_open_anywhere_and_emergency_line(
    nightsafe: NightSafe,
) -> None:
    # Early Tuesday morning in Brixton, outside the West End: nothing open nearby.
    nightsafe.clock.now = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
    _, answer = await _share(nightsafe, Point(51.4610, -0.1150))  # Brixton, far south
    assert "Nothing on NightSafe's list is open within 1.5 km of you right now." in answer.text
    assert "The nearest open place is" in answer.text
    assert "🆘 In an emergency call 999." in answer.text
    venues = await _public_venues(nightsafe)
    nearest = nearest_brute_force(
        venues, Point(51.4610, -0.1150), 1, at=nightsafe.clock.now, open_only=True
    )[0]
    assert nearest.venue.name in answer.text


async def test_location_in_the_north_sea_is_outside_the_area(nightsafe: NightSafe) -> None:
    _, answer = await _share(nightsafe, Point(55.0, 3.0))
    assert "That's outside the area NightSafe covers." in answer.text
    assert "The nearest open place is" in answer.text
