"""/myvenue end to end: tonight's toggle changes the next nearby answer, hours changed,
the public card, a move going back through review, and forged venue ids refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.local_api import LocalBotApiServer
from tests.bot.nightsafe import SATURDAY_NIGHT, NightSafe, running_nightsafe
from tests.bot.venue_flows import (
    ADMINS,
    SOHO_SQUARE,
    TRICKY_NAME,
    answer,
    audit_log,
    listed_venue,
    nearby_names,
    press,
    venue,
)

LEICESTER_SQUARE = (51.5103, -0.1301)
VENUE_STAFF_ONLY = "🔒 That's for the venue's own staff only."


async def test_myvenue_closed_tonight_hides_it_until_its_next_opening(
    nightsafe: NightSafe,
) -> None:
    venue_id = await listed_venue(nightsafe, 1001)
    alex = nightsafe.user()
    assert TRICKY_NAME in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    await alex.send_command("/myvenue")
    card = await alex.next_reply()
    assert card.text == (
        f"✅ Accredited venue {TRICKY_NAME}\n🟢 Listed on NightSafe\n"
        "Now: open until 04:00\n🕘 Fr,Sa 22:00-04:00"
    )
    assert card.buttons == [
        ["✅ Open as usual tonight", "🚫 Closed tonight"],
        ["🕘 Hours changed", "👁 See the public card"],
        ["📍 Moved or changed kind", "🖨 Poster"],
    ]
    query = await alex.press("🚫 Closed tonight")
    assert (await alex.callback_answer(query))["text"] == (
        f"🚫 {TRICKY_NAME} is shown as closed until Sun 29/11/2026 04:00: nobody is sent "
        "there tonight."
    )
    await nightsafe.server.wait_for(lambda _: "closed tonight" in (alex.replies[-1].text or ""))
    assert "Now: closed tonight, opens Fri 22:00" in alex.replies[-1].text
    # The very next answer leaves it out; still out at 03:00; back at its next opening.
    assert TRICKY_NAME not in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    nightsafe.clock.now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert TRICKY_NAME not in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    nightsafe.clock.now = SATURDAY_NIGHT + timedelta(days=6, minutes=50)  # Friday 22:30
    assert TRICKY_NAME in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    assert (await venue(nightsafe, venue_id)).closed_until == datetime(
        2026, 11, 29, 4, 0, tzinfo=UTC
    )


async def test_myvenue_open_as_usual_undoes_closed_tonight_at_once(nightsafe: NightSafe) -> None:
    venue_id = await listed_venue(nightsafe, 1001)
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    await alex.next_reply()
    await alex.press("🚫 Closed tonight")
    assert TRICKY_NAME not in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    query = await alex.press("✅ Open as usual tonight")
    assert (await alex.callback_answer(query))["text"] == (
        f"✅ {TRICKY_NAME} is shown as open as usual."
    )
    assert TRICKY_NAME in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    assert (await venue(nightsafe, venue_id)).closed_until is None
    actions = [(e.actor_id, e.action, e.target_id) for e in await audit_log(nightsafe)]
    assert actions == [
        (1001, "open_tonight", str(venue_id)),
        (1001, "closed_tonight", str(venue_id)),
    ]


async def test_myvenue_refuses_a_forged_venue_id(nightsafe: NightSafe) -> None:
    await listed_venue(nightsafe, 1001)
    other = await listed_venue(nightsafe, None, name="Someone Else's Bar")
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    card = await alex.next_reply()
    for action in ("c", "o", "h", "p", "m", "q"):
        query = await alex.press(data=f"mv|{action}|{other}", message_id=card.message_id)
        assert (await alex.callback_answer(query))["text"] == VENUE_STAFF_ONLY
    query = await alex.press(data="mv|c|x", message_id=card.message_id)
    assert (await alex.callback_answer(query))["text"] == (
        "This button doesn't work any more. Please ask again."
    )
    assert (await venue(nightsafe, other)).closed_until is None
    assert "Someone Else's Bar" in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    assert await audit_log(nightsafe) == []


async def test_myvenue_someone_with_no_venue_is_told_how_to_get_one(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    assert (await alex.next_reply()).text == (
        "You aren't linked to a venue yet. Register one with /register: once the partnership "
        "approves it, it shows here."
    )


async def test_myvenue_hours_changed_are_checked_and_saved(nightsafe: NightSafe) -> None:
    venue_id = await listed_venue(nightsafe, 1001)
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    await alex.next_reply()
    asked = await press(alex, "🕘 Hours changed")
    assert asked.text.startswith(f"New opening hours for {TRICKY_NAME}? Now: Fr,Sa 22:00-04:00")
    again = await answer(alex, "Sat 10pm-3am")
    assert again.text.startswith("I couldn't read those opening hours. Write days with two letters")
    assert "New opening hours for" in again.text
    saved = await answer(alex, "Mo-Fr 09:00-17:00")
    assert saved.text == f"🕘 Saved: {TRICKY_NAME} now opens Mo-Fr 09:00-17:00."
    card = await alex.next_reply()
    assert "Now: closed now, opens Mon 09:00" in card.text
    assert (await venue(nightsafe, venue_id)).opening_hours == "Mo-Fr 09:00-17:00"
    assert TRICKY_NAME not in await nearby_names(nightsafe, alex, SOHO_SQUARE)
    await press(alex, "🕘 Hours changed")
    assert (await press(alex, "Always open (24/7)")).text.endswith("now opens 24/7.")
    actions = [e.action for e in await audit_log(nightsafe)]
    assert actions == ["hours_changed", "hours_changed"]


async def test_myvenue_public_card_is_what_people_see(nightsafe: NightSafe) -> None:
    await listed_venue(nightsafe, 1001)
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    await alex.next_reply()
    await alex.press("👁 See the public card")
    pin, card = await alex.next_replies(2)
    assert pin.venue["title"] == TRICKY_NAME
    assert card.text.endswith(
        "✅ Listed with West End Night Safety Partnership (demo) and current."
    )
    assert card.buttons[-1] == ["⚠️ Report a problem with this place"]
    await alex.press("🖨 Poster")
    poster = await alex.next_reply()
    assert poster.document is not None
    assert poster.document.startswith(b"\x89PNG\r\n\x1a\n")


async def test_myvenue_a_move_waits_for_review_and_applies_on_approval(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam = bot.user(9001, "Sam")
        await sam.send_command("/start")
        await sam.next_reply()
        venue_id = await listed_venue(bot, 1001)
        alex = bot.user()
        await alex.send_command("/myvenue")
        await alex.next_reply()
        asked = await press(alex, "📍 Moved or changed kind")
        assert asked.text.startswith(f"Where is {TRICKY_NAME} now?")
        await alex.send_text("Leicester Square")
        await alex.next_replies(2)
        await press(alex, "✅ Yes, that's it")
        kind = await answer(alex, "5 Leicester Square, London wc2h7na")
        assert kind.buttons[-1] == ["Same as now"]
        sent = await press(alex, "Same as now")
        assert sent.text == (
            f"📨 Sent for review. {TRICKY_NAME} stays listed as it is until the partnership "
            "approves the change."
        )
        card = await sam.next_reply()
        assert card.text.startswith("✏️ Change of place or kind to review")
        assert "📫 5 Leicester Square, London WC2H 7NA" in card.text
        # Still listed where it was while the change waits; a second change must wait.
        assert TRICKY_NAME in await nearby_names(bot, alex, SOHO_SQUARE)
        await alex.send_command("/myvenue")
        assert (
            "✏️ A change of place or kind is waiting for review." in (await alex.next_reply()).text
        )
        query = await alex.press("📍 Moved or changed kind")
        assert (await alex.callback_answer(query))["text"] == (
            "A change to this venue is already waiting for review."
        )
        await sam.press("✅ Approve")
        told = await alex.next_reply()
        assert told.text == (
            f"✅ The change to {TRICKY_NAME} is approved and shown to the public now."
        )
        moved = await venue(bot, venue_id)
        assert (moved.latitude, moved.longitude) == (51.5103, -0.1301)
        assert (moved.address, moved.postcode) == (
            "5 Leicester Square, London WC2H 7NA",
            "WC2H 7NA",
        )
        assert TRICKY_NAME in await nearby_names(bot, alex, LEICESTER_SQUARE)


async def test_myvenue_same_place_and_kind_is_nothing_to_review(nightsafe: NightSafe) -> None:
    await listed_venue(nightsafe, 1001)
    alex = nightsafe.user()
    await alex.send_command("/myvenue")
    await alex.next_reply()
    await press(alex, "📍 Moved or changed kind")
    await press(alex, "Same place")
    said = await press(alex, "Same as now")
    assert said.text == "That's the same as now, so there is nothing to review."
