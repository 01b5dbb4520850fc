"""/help, /nightstars, /subscribe, /unsubscribe, /alerts, /privacy, /forget, deep links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import alerts, subscriptions
from bot.store.alerts import Audience, Priority
from tests.bot.nightsafe import NightSafe
from venues import repository
from venues.model import VenueStatus


async def test_help_lists_public_commands_and_not_staff_ones(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/help")
    text = (await alex.next_reply()).text
    for command in ("/emergency", "/nightstars", "/alerts", "/subscribe", "/privacy", "/forget"):
        assert command in text
    assert "/broadcast" not in text
    assert "/grant" not in text


async def test_commands_are_registered_with_telegram(nightsafe: NightSafe) -> None:
    [call] = [
        c
        for c in nightsafe.server.calls_to("setMyCommands")
        if c.params.get("scope", {}).get("type", "default") == "default"
    ]
    names = [command["command"] for command in call.params["commands"]]
    assert names[:3] == ["start", "help", "emergency"]
    assert "broadcast" not in names


async def test_start_shows_the_main_keyboard(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/start")
    reply = await alex.next_reply()
    [call] = nightsafe.server.calls_to("sendMessage")
    keyboard = call.params["reply_markup"]["keyboard"]
    assert keyboard[0][0] == {"text": "📍 Share my location", "request_location": True}
    assert [b["text"] for b in keyboard[1]] == ["🆘 Emergency", "⭐ Night Stars", "🔔 Alerts"]
    assert len(reply.text.splitlines()) == 4  # a title and three short lines


async def test_night_stars_on_duty_on_saturday_night(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_text("⭐ Night Stars")
    text = (await alex.next_reply()).text
    assert "🟢 On duty now, until 04:00." in text
    assert "Leicester Square, by the Shakespeare statue" in text
    assert "020 7946 0100" in text


async def test_night_stars_off_duty_says_when_next(nightsafe: NightSafe) -> None:
    nightsafe.clock.now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday afternoon
    alex = nightsafe.user()
    await alex.send_command("/nightstars")
    assert "⚪ Not on duty now. Next on duty: Fri 22:00." in (await alex.next_reply()).text


async def test_subscribe_choose_zones_then_unsubscribe(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/subscribe")
    picker = await alex.next_reply()
    assert picker.text.startswith("🔔 Choose the areas")
    query = await alex.press("Done")  # nothing chosen yet
    assert (await alex.callback_answer(query))["text"] == "Choose at least one area first."
    for label in ("Soho", "✓ Soho", "Soho", "Covent Garden", "Done"):  # ✓ Soho: untick
        edits = len(nightsafe.server.calls_to("editMessageText"))
        await alex.press(label)
        await nightsafe.server.wait_for(
            lambda _, before=edits: len(nightsafe.server.calls_to("editMessageText")) > before
        )
    assert (
        alex.transcript()
        .messages[-1]
        .text.startswith("🔔 You'll get safety alerts for: Soho, Covent Garden.")
    )
    async with nightsafe.services.sessions() as session:
        stored = await subscriptions.get(session, alex.id)
    assert stored is not None
    assert set(stored.zones) == {"soho", "covent_garden"}
    await alex.send_command("/unsubscribe")
    assert (await alex.next_reply()).text.startswith("🔕 You won't get safety alerts")
    await alex.send_command("/unsubscribe")
    assert (await alex.next_reply()).text.startswith("You aren't subscribed")


async def _add_alert(nightsafe: NightSafe, text: str, zones: list[str], hours: float) -> None:
    now = nightsafe.clock.now
    async with nightsafe.services.sessions() as session, session.begin():
        await alerts.create(
            session,
            text=text,
            audience=Audience.PUBLIC,
            zones=zones,
            priority=Priority.NORMAL,
            created_by=9001,
            expires_at=now + timedelta(hours=hours),
        )


async def test_alerts_none_is_a_friendly_normal_state(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/alerts")
    text = (await alex.next_reply()).text
    assert text.startswith("✅ No active safety alerts for your areas right now.")


async def test_alerts_shows_active_ones_for_my_zones_and_hides_expired(
    nightsafe: NightSafe,
) -> None:
    alex = nightsafe.user()
    async with nightsafe.services.sessions() as session, session.begin():
        await subscriptions.subscribe(session, alex.id, ["soho"], "en")
    await _add_alert(nightsafe, "Drink spiking reports near Dean St <b>", ["soho"], 2)
    await _add_alert(nightsafe, "Road closed in Victoria", ["victoria"], 2)
    await _add_alert(nightsafe, "Old news", ["soho"], -1)
    await alex.send_text("🔔 Alerts")
    text = (await alex.next_reply()).text
    assert "Drink spiking reports near Dean St <b>" in text  # escaped, shown intact
    assert "Road closed in Victoria" not in text
    assert "Old news" not in text


async def test_privacy_and_forget(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    async with nightsafe.services.sessions() as session, session.begin():
        await subscriptions.subscribe(session, alex.id, ["soho"], "en")
    await alex.send_command("/privacy")
    privacy = (await alex.next_reply()).text
    assert "never stored or written to a log" in privacy
    await alex.send_command("/forget")
    assert (await alex.next_reply()).text.startswith("🗑 Done.")
    async with nightsafe.services.sessions() as session:
        assert await subscriptions.get(session, alex.id) is None


async def test_venue_deep_link_shows_the_venue_and_whether_it_is_current(
    nightsafe: NightSafe,
) -> None:
    async with nightsafe.services.sessions() as session:
        venue = (await repository.list_public_venues(session))[0]
    alex = nightsafe.user()
    await alex.send_command("/start", f"venue_{venue.id}")
    pin, card = await alex.next_replies(2)
    assert pin.venue["title"] == venue.name
    assert venue.name in card.text
    assert "✅ Listed with West End Night Safety Partnership (demo) and current." in card.text
    async with nightsafe.services.sessions() as session, session.begin():
        await repository.set_status(session, venue.id, VenueStatus.SUSPENDED)
    await alex.send_command("/start", f"venue_{venue.id}")
    card = await alex.next_reply()
    assert "⚠️ This venue is not currently listed" in card.text
    await alex.send_command("/start", "venue_999999")
    assert (await alex.next_reply()).text == "⚠️ That venue is not on NightSafe's list."
