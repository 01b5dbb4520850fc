"""Typed places answer like a location; ambiguity offers choices; the rest gets a hint."""

from __future__ import annotations

import pytest

from tests.bot.nightsafe import NightSafe

NOT_FOUND = (
    "I couldn't find that place. Share your location with 📍, or try a street, "
    "a station or a postcode like W1D 3QU."
)


async def _answer(nightsafe: NightSafe, text: str, replies: int = 2) -> list[str]:
    alex = nightsafe.user()
    await alex.send_text(text)
    return [reply.text or "" for reply in await alex.next_replies(replies)]


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("Leicester Square", "Open near Leicester Square now"),
        ("lester sqare", "Open near Leicester Square now"),
        ("picadilly circus", "Open near Piccadilly Circus now"),
        ("WC2H", "Open near WC2H now"),
        ("Covent Garden station", "Open near Covent Garden station now"),
    ],
)
async def test_place_text_answers_like_a_location(
    nightsafe: NightSafe, typed: str, title: str
) -> None:
    _, answer = await _answer(nightsafe, typed)
    assert answer.startswith(title), answer
    assert "Demo" in answer
    assert "🆘 In an emergency call 999." in answer


async def test_full_postcode_is_placed_at_its_district(nightsafe: NightSafe) -> None:
    _, answer = await _answer(nightsafe, "w1d 3qu")
    assert answer.startswith("Open near W1D 3QU now")
    assert "(around the W1D postcode district)" in answer


@pytest.mark.parametrize("typed", ["51.5101, -0.1340", "51.5101 -0.1340"])
async def test_typed_coordinates_answer_like_a_shared_location(
    nightsafe: NightSafe, typed: str
) -> None:
    _, answer = await _answer(nightsafe, typed)
    assert answer.startswith("Open near you now")


async def test_ambiguous_place_offers_choices_and_a_choice_answers(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_text("victoria")
    choices = await alex.next_reply()
    assert choices.text == "Which one do you mean?"
    assert ["Victoria station"] in choices.buttons
    await alex.press("Victoria station")
    _, answer = await alex.next_replies(2)
    assert answer.text.startswith("Open near Victoria station now")
    # The same choice keeps its place when a button under the answer is pressed.
    await alex.press("➕ More")
    await nightsafe.server.wait_for(lambda _: nightsafe.server.calls_to("editMessageText"))
    assert alex.transcript().messages[-1].text.startswith("Open near Victoria station now")


@pytest.mark.parametrize("typed", ["xyzzy plugh", "🍸🍸🍸", "مرحبا كيف حالك", "?!", "   "])
async def test_unknown_text_gets_a_short_hint(nightsafe: NightSafe, typed: str) -> None:
    [answer] = await _answer(nightsafe, typed, replies=1)
    assert answer == NOT_FOUND


async def test_huge_text_gets_a_kind_answer(nightsafe: NightSafe) -> None:
    [answer] = await _answer(nightsafe, "a" * 4096, replies=1)
    assert answer == "That's a very long message. Type a place name or a postcode, please."


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("91, 0", "That latitude is impossible"),
        ("51.5, 181", "That longitude is impossible"),
        ("nan, 0", "Those coordinates aren't ordinary numbers"),
    ],
)
async def test_impossible_coordinates_are_explained(
    nightsafe: NightSafe, typed: str, why: str
) -> None:
    [answer] = await _answer(nightsafe, typed, replies=1)
    assert answer.startswith(why)
