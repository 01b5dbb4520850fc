"""/broadcast end to end: the real bot, its delivery worker and the local Bot API server.

Staff write an alert, see it exactly as people will, choose audience, zones, priority
and expiry, confirm a count and send; people get it once; staff see progress and a
report, can cancel a broadcast in progress and send an all clear."""

from __future__ import annotations

import html
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.local_api import ChatMessage, LocalBotApiServer, SimulatedUser
from bot.local_api.state import ChatState
from bot.models import AlertRow, OutboxRow
from bot.render.simple import plain
from bot.store import audit, roles, subscriptions
from tests.bot.nightsafe import NightSafe, running_nightsafe
from venues import repository
from venues.emergency import looks_like_emergency
from venues.partnership import Partnership

STAFF = 9001
SETTINGS = {
    "NIGHTSAFE_ADMIN_IDS": str(STAFF),
    "NIGHTSAFE_ALERT_PROGRESS_SECONDS": 0.3,
    "NIGHTSAFE_ALERT_POLL_SECONDS": 0.1,
}
EVERYWHERE = ("🌍 Everywhere",)


@asynccontextmanager
async def nightsafe_for_alerts(
    server: LocalBotApiServer, database_url: str, **overrides: Any
) -> AsyncIterator[NightSafe]:
    async with running_nightsafe(server, database_url, **{**SETTINGS, **overrides}) as bot:
        yield bot


async def _subscribe(bot: NightSafe, people: Sequence[SimulatedUser], zones: list[str]) -> None:
    async with bot.services.sessions() as session, session.begin():
        for person in people:
            await subscriptions.subscribe(session, person.id, zones, "en")


async def _press(bot: NightSafe, user: SimulatedUser, label: str) -> dict[str, Any]:
    """Press a button and wait for the bot's answer to the press."""
    return await user.callback_answer(await user.press(label))


async def _edits(bot: NightSafe) -> int:
    return len(bot.server.calls_to("editMessageText"))


async def compose(
    bot: NightSafe,
    staff: SimulatedUser,
    text: str,
    *,
    audience: str = "👥 Both",
    zones: Sequence[str] = EVERYWHERE,
    priority: str = "Normal",
    expiry: str = "6 hours",
) -> tuple[ChatMessage, ChatMessage]:
    """Go through /broadcast up to the confirmation: (final preview, confirmation)."""
    await staff.send_command("/broadcast")
    assert (await staff.next_reply()).text.startswith("📣 New safety alert")
    await staff.send_text(text)
    # The emergency guidance first if the alert reads like one (safety first, always),
    # then the preview's title, the preview, the audience question.
    await staff.next_replies(4 if looks_like_emergency(text) else 3)
    await _press(bot, staff, audience)
    await staff.next_reply()  # zones
    for zone in zones:
        before = await _edits(bot)
        await _press(bot, staff, zone)
        if zone in ("🌍 Everywhere", "Done"):
            await staff.next_reply()  # priority
        else:
            await bot.server.wait_for(
                lambda _, n=before: len(bot.server.calls_to("editMessageText")) > n
            )
    await _press(bot, staff, priority)
    await staff.next_reply()  # expiry
    await _press(bot, staff, expiry)
    _title, preview, confirmation = await staff.next_replies(3)
    return preview, confirmation


async def send_and_report(
    bot: NightSafe, staff: SimulatedUser, label: str = "📣 Send"
) -> ChatMessage:
    await _press(bot, staff, label)
    return await staff.next_reply(timeout=10)  # the final report


async def _alerts(bot: NightSafe) -> int:
    async with bot.services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(AlertRow)) or 0


async def test_broadcast_previews_exactly_and_reaches_each_subscriber_once(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        people = [bot.user(2001 + i, f"P{i}") for i in range(3)]
        await _subscribe(bot, people, ["soho"])
        staff = bot.user(STAFF, "Sam")
        text = "Reports of <b>drink spiking</b> & worse near Dean St — watch your drink"
        preview, confirmation = await compose(bot, staff, text)
        assert "Reports of <b>drink spiking</b> & worse near Dean St" in preview.text
        assert "Recipients: 3 (3 subscribers, 0 venue staff)." in confirmation.text
        assert confirmation.buttons == [["📣 Send"], ["✖ Cancel"]]
        report = await send_and_report(bot, staff)
        for person in people:
            [received] = person.replies
            assert received.text == preview.text  # exactly what staff saw
            assert received.entities == preview.entities
        assert "✅ Delivered: 3" in report.text
        assert "⏱ Took" in report.text
        progress = staff.chat.messages[confirmation.message_id]
        finished = "📣 Alert #1 — finished: 3 delivered."
        await bot.server.wait_for(lambda _: progress.text == finished)  # after the report
        async with bot.services.sessions() as session:
            rows = list(await session.scalars(select(OutboxRow.chat_id)))
            [entry] = [e for e in await audit.entries(session) if e.action == "broadcast"]
        assert sorted(rows) == [p.id for p in people]
        assert (entry.actor_id, entry.target_id, entry.detail["recipients"]) == (STAFF, "1", 3)


async def test_broadcast_follows_each_persons_language_discreet_and_simple_mode(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        people = [bot.user(2001 + i, name) for i, name in enumerate("PQFS")]
        usual, quiet, french, simple = people
        await _subscribe(bot, people, ["soho"])
        await quiet.send_command("/discreet", "on")
        await quiet.next_reply()
        await simple.send_command("/simple", "on")
        await simple.next_reply()
        await french.send_command("/language")
        await french.next_reply()
        await _press(bot, french, "Français")
        staff = bot.user(STAFF, "Sam")
        preview, _confirmation = await compose(bot, staff, "Pickpockets on Old Compton St")
        await send_and_report(bot, staff)
        [to_usual] = usual.replies
        [_, to_quiet] = quiet.replies
        [_, to_french] = french.replies
        [_, to_simple] = simple.replies
        assert to_usual.text == preview.text
        # Simple mode: the same words, no icons, no formatting.
        assert to_simple.text == plain(html.escape(preview.text))
        assert {entity["type"] for entity in to_simple.entities} <= {"bot_command"}
        assert any(entity["type"] == "bold" for entity in to_usual.entities)
        # A locked screen shows the first line: in discreet mode it says nothing of safety.
        assert to_quiet.text == f"NightSafe: a new message for you\n\n{preview.text}"
        assert to_french.text.startswith("⚠️ Alerte de sécurité")
        assert "Pickpockets on Old Compton St" in to_french.text


async def test_broadcast_alert_about_a_danger_still_reaches_the_draft(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        staff = bot.user(STAFF, "Sam")
        await staff.send_command("/broadcast")
        await staff.next_reply()
        await staff.send_text("Drinks spiked at two bars on Wardour Street")
        guidance, title, preview, question = await staff.next_replies(4)
        assert guidance.text.startswith("🆘 If you are in danger now")
        assert title.text.startswith("👁 Preview")
        assert "Drinks spiked at two bars on Wardour Street" in preview.text
        assert question.text == "Who should get it?"


async def test_broadcast_is_refused_to_non_staff_at_the_command_and_every_button(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        mallory = bot.user(666, "Mallory")
        await mallory.send_command("/broadcast")
        assert (await mallory.next_reply()).text == "🔒 That's for partnership staff only."
        await mallory.send_text("Everyone panic")
        assert "Everyone panic" not in (await mallory.next_reply()).text  # a place query
        for forged in ("bc|s|free", "bc|a|public", "bx|stop|1", "bx|acy|1", "bx|ac|1"):
            answer = await mallory.callback_answer(await mallory.press(data=forged))
            assert answer["text"] == "🔒 That's for partnership staff only."
        await mallory.send_command("/broadcasts")
        assert (await mallory.next_reply()).text == "🔒 That's for partnership staff only."
        # Staff whose role is revoked half-way are refused at the next button.
        staff = bot.user(STAFF, "Sam")
        await staff.send_command("/broadcast")
        await staff.next_reply()
        await staff.send_text("Test")
        await staff.next_replies(3)
        async with bot.services.sessions() as session, session.begin():
            await roles.revoke_partnership(session, STAFF, bot.clock.now)
        answer = await _press(bot, staff, "👥 Both")
        assert answer["text"] == "🔒 That's for partnership staff only."
        assert await _alerts(bot) == 0


async def test_broadcast_forged_or_stale_buttons_change_nothing(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        staff = bot.user(STAFF, "Sam")
        answer = await staff.callback_answer(await staff.press(data="bc|s|free"))
        assert answer["text"] == "This button doesn't work any more. Please ask again."
        await staff.send_command("/broadcast")
        await staff.next_reply()
        await staff.send_text("Test alert")
        await staff.next_replies(3)
        for forged in ("bc|s|free", "bc|z|99", "bc|a|everyone", "bc|e|2h"):
            answer = await staff.callback_answer(await staff.press(data=forged))
            assert answer["text"] == "This button doesn't work any more. Please ask again."
        assert await _alerts(bot) == 0


async def test_broadcast_cancel_at_every_step(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        staff = bot.user(STAFF, "Sam")
        steps: list[tuple[str | None, int]] = [
            (None, 3),
            ("👥 Both", 1),
            ("🌍 Everywhere", 1),
            ("🚨 Urgent", 1),
            ("2 hours", 3),
        ]
        for stop_after in range(len(steps) + 1):
            await staff.send_command("/broadcast")
            await staff.next_reply()
            for label, replies in steps[:stop_after]:
                if label is None:
                    await staff.send_text("Road closed on Charing Cross Road")
                else:
                    await _press(bot, staff, label)
                await staff.next_replies(replies)
            await staff.send_command("/cancel")
            assert (await staff.next_reply()).text == "Cancelled. Nothing was sent."
        assert await _alerts(bot) == 0


async def _venue_in(bot: NightSafe, partnership: Partnership, zone_key: str) -> int:
    zone = partnership.zone(zone_key)
    assert zone is not None
    async with bot.services.sessions() as session:
        venues = await repository.list_venues(session)
    return next(v.id for v in venues if zone.contains(v.point))


async def test_broadcast_audience_and_zones_choose_who_gets_it(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        partnership = bot.services.partnership
        soho, victoria, everywhere = bot.user(2001, "S"), bot.user(2002, "V"), bot.user(2003, "W")
        await _subscribe(bot, [soho], ["soho"])
        await _subscribe(bot, [victoria], ["victoria"])
        await _subscribe(bot, [everywhere], ["west_end"])
        soho_staff, mayfair_staff = bot.user(3001, "Bar"), bot.user(3002, "Club")
        async with bot.services.sessions() as session, session.begin():
            for person, zone in ((soho_staff, "soho"), (mayfair_staff, "mayfair")):
                venue_id = await _venue_in(bot, partnership, zone)
                await roles.link_venue_staff(session, person.id, venue_id, STAFF, bot.clock.now)
        staff = bot.user(STAFF, "Sam")
        _, confirmation = await compose(
            bot,
            staff,
            "Staff only: door team briefing",
            audience="🏠 Venue staff",
            zones=("Soho", "Done"),
        )
        assert "Recipients: 1 (0 subscribers, 1 venue staff)." in confirmation.text
        assert "Where: Soho" in confirmation.text
        await send_and_report(bot, staff)
        _, confirmation = await compose(
            bot,
            staff,
            "Public: Soho and Victoria",
            audience="🔔 Public subscribers",
            zones=("Soho", "Victoria", "Done"),
        )
        assert "Recipients: 3 (3 subscribers, 0 venue staff)." in confirmation.text
        await send_and_report(bot, staff)
        received = {
            p.user["first_name"]: [m.text.split("\n\n")[1] for m in p.replies]
            for p in (soho, victoria, everywhere, soho_staff, mayfair_staff)
        }
        assert received == {
            "S": ["Public: Soho and Victoria"],
            "V": ["Public: Soho and Victoria"],
            "W": ["Public: Soho and Victoria"],  # "all of the West End" gets every alert
            "Bar": ["Staff only: door team briefing"],
            "Club": [],
        }


async def test_broadcast_quiet_hours_hold_normal_alerts_urgent_ones_go(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        sleeper, awake = bot.user(2001, "Sleepy"), bot.user(2002, "Awake")
        await _subscribe(bot, [sleeper, awake], ["soho"])
        async with bot.services.sessions() as session, session.begin():
            await subscriptions.set_quiet_hours(session, sleeper.id, "23:00", "07:00")
        staff = bot.user(STAFF, "Sam")
        _, confirmation = await compose(bot, staff, "Normal news", expiry="24 hours")
        assert "🌙 In their quiet hours, so getting it when those end: 1" in (confirmation.text)
        report = await send_and_report(bot, staff)
        assert "🌙 Waiting for quiet hours to end: 1" in report.text
        assert (len(sleeper.replies), len(awake.replies)) == (0, 1)
        _, confirmation = await compose(bot, staff, "Urgent news", priority="🚨 Urgent")
        assert "quiet hours" not in confirmation.text
        await send_and_report(bot, staff)
        assert [m.text.splitlines()[0] for m in sleeper.replies] == [
            "🚨 URGENT safety alert · West End NightSafe"
        ]


async def test_broadcast_in_progress_can_be_cancelled(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        awake = bot.user(2001, "Awake")
        sleepers = [bot.user(2002 + i, f"S{i}") for i in range(3)]
        await _subscribe(bot, [awake, *sleepers], ["soho"])
        async with bot.services.sessions() as session, session.begin():
            for sleeper in sleepers:
                await subscriptions.set_quiet_hours(session, sleeper.id, "23:00", "07:00")
        staff = bot.user(STAFF, "Sam")
        await compose(bot, staff, "Road closed", expiry="24 hours")
        report = await send_and_report(bot, staff)
        assert "🌙 Waiting for quiet hours to end: 3" in report.text
        await staff.send_command("/broadcasts")
        listing = await staff.next_reply()
        assert listing.buttons == [["⏹ Cancel sending #1"]]  # three still to go
        await _press(bot, staff, "⏹ Cancel sending #1")
        stopped = await staff.next_reply()
        assert stopped.text == "⏹ Sending alert #1 was cancelled. Messages not sent: 3"
        answer = await _press(bot, staff, "⏹ Cancel sending #1")  # pressed again
        assert answer["text"] == "Alert #1 isn't sending any more, so there's nothing to cancel."
        async with bot.services.sessions() as session:
            states = Counter(await session.scalars(select(OutboxRow.state)))
        assert states == {"delivered": 1, "cancelled": 3}
        # Their quiet hours end: nothing comes, and a cancelled alert is withdrawn.
        bot.clock.now += timedelta(hours=8)
        await sleepers[0].send_command("/alerts")
        assert (await sleepers[0].next_reply()).text.startswith("✅ No active safety alerts")
        assert [len(s.replies) for s in sleepers] == [1, 0, 0]


async def test_broadcast_all_clear_follows_up_the_same_people(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        people = [bot.user(2001 + i, f"P{i}") for i in range(2)]
        await _subscribe(bot, people, ["soho"])
        late = bot.user(2009, "Late")
        staff = bot.user(STAFF, "Sam")
        await compose(bot, staff, "Fight outside the station, keep away")
        await send_and_report(bot, staff)
        await _subscribe(bot, [late], ["soho"])  # subscribed after: never got the alert
        await _press(bot, staff, "✅ All clear for #1")
        question = await staff.next_reply()
        assert question.text.startswith(
            "Send an all clear for alert #1 to everyone it reached (2)?"
        )
        await _press(bot, staff, "✅ Send the all clear")
        report = await staff.next_reply(timeout=10)
        assert "Alert #2: delivery report" in report.text
        assert "✅ Delivered: 2" in report.text
        for person in people:
            alert, all_clear = person.replies
            assert all_clear.text.startswith("✅ All clear · West End NightSafe")
            assert "Fight outside the station, keep away" in all_clear.text
            assert all_clear.api["reply_to_message"]["message_id"] == alert.message_id
        assert not late.replies
        async with bot.services.sessions() as session:
            follow_up = await session.get(AlertRow, 2)
        assert follow_up is not None
        assert follow_up.follows_alert_id == 1
        await people[0].send_command("/alerts")  # the alert is over
        *_, listing = await people[0].next_replies(3)
        assert listing.text.startswith("✅ No active safety alerts")
        # The question became the progress message; pressing its old button again:
        answer = await staff.callback_answer(await staff.press(data="bx|acy|1"))
        assert answer["text"] == "Alert #1 already has an all clear."


async def test_broadcast_progress_is_edited_at_most_every_n_seconds_and_reported(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(
        local_bot_api,
        database_url,
        NIGHTSAFE_SEND_RATE=10,
        NIGHTSAFE_ALERT_PROGRESS_SECONDS=1,
    ) as bot:
        people = [bot.user(2000 + i, f"P{i}") for i in range(22)]
        people[0].chat.blocked = True
        await _subscribe(bot, people, ["soho"])
        async with bot.services.sessions() as session, session.begin():
            await subscriptions.subscribe(session, 777_000, ["soho"], "en")  # no such chat
        staff = bot.user(STAFF, "Sam")
        _, confirmation = await compose(bot, staff, "Crowds at Leicester Square")
        report = await send_and_report(bot, staff)
        progress = staff.chat.messages[confirmation.message_id]
        await bot.server.wait_for(lambda _: progress.text.startswith("📣 Alert #1 — finished"))
        assert report.text.splitlines() == [
            "📣 Alert #1: delivery report",
            "✅ Delivered: 21",
            "🚫 Blocked the bot (unsubscribed): 1",
            "⚠️ Failed: 0",
            "❔ Ambiguous (may have arrived): 0",
            report.text.splitlines()[5],
            "❓ Chat not found: 1",
        ]
        seconds = float(report.text.splitlines()[5].removeprefix("⏱ Took ").removesuffix(" s"))
        assert 1.5 <= seconds < 5  # 23 at 10 a second
        edits = [
            call.at
            for call in bot.server.calls_to("editMessageText")
            if call.params.get("message_id") == confirmation.message_id and call.ok
        ]
        assert len(edits) >= 3  # the confirmation → sending; progress; finished
        # The first edit is the bot's own (the confirmation becomes the progress message).
        gaps = [later - earlier for earlier, later in itertools.pairwise(edits[1:])]
        assert min(gaps) >= 1.0
        async with bot.services.sessions() as session:
            assert await subscriptions.get(session, people[0].id) is None


async def test_broadcast_public_alerts_are_mirrored_to_the_channel(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    channel = ChatState(
        chat={"id": -100777, "type": "channel", "title": "West End alerts", "username": "we_alerts"}
    )
    local_bot_api.state.chats[channel.id] = channel
    async with nightsafe_for_alerts(
        local_bot_api, database_url, NIGHTSAFE_ALERT_CHANNEL="@we_alerts"
    ) as bot:
        alex = bot.user(2001, "Alex")
        await _subscribe(bot, [alex], ["soho"])
        staff = bot.user(STAFF, "Sam")
        _, confirmation = await compose(bot, staff, "Tube station closed")
        assert "📢 It is also posted to the channel @we_alerts." in confirmation.text
        report = await send_and_report(bot, staff)
        assert "📢 Channel: posted" in report.text
        [post] = channel.bot_messages()
        assert post.text == alex.replies[0].text
        await compose(bot, staff, "Venue staff only", audience="🏠 Venue staff")
        await send_and_report(bot, staff)
        assert len(channel.bot_messages()) == 1  # not a public alert: not mirrored


async def test_broadcast_paid_delivery_refused_over_the_stars_budget(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(
        local_bot_api,
        database_url,
        NIGHTSAFE_PAID_BROADCASTS="true",
        NIGHTSAFE_PAID_BUDGET_STARS=1.5,
        NIGHTSAFE_STARS_PER_PAID_MESSAGE=0.1,
    ) as bot:
        people = [bot.user(2001 + i, f"P{i}") for i in range(10)]
        await _subscribe(bot, people, ["soho"])
        staff = bot.user(STAFF, "Sam")
        _, confirmation = await compose(bot, staff, "First, paid")
        assert "⚡ Fast paid delivery would cost about 1 ⭐ (1.5 ⭐ of the budget left)." in (
            confirmation.text
        )
        await send_and_report(bot, staff, "⚡ Send fast (paid)")
        paid = [c for c in bot.server.calls_to("sendMessage") if c.chat_id != STAFF]
        assert len(paid) == 10
        assert all(c.params.get("allow_paid_broadcast") for c in paid)
        _, confirmation = await compose(bot, staff, "Second, over budget")
        assert "(0.5 ⭐ of the budget left)" in confirmation.text
        await _press(bot, staff, "⚡ Send fast (paid)")
        refusal = await staff.next_reply()
        assert refusal.text.startswith(
            "⚡ Paid delivery refused: it would cost about 1 ⭐ and only 0.5 ⭐ of the 1.5 ⭐"
        )
        assert await _alerts(bot) == 1  # nothing was queued
        await send_and_report(bot, staff, "📣 Send")  # at the normal rate instead
        free = [c for c in bot.server.calls_to("sendMessage") if c.chat_id != STAFF][10:]
        assert len(free) == 10
        assert not any(c.params.get("allow_paid_broadcast") for c in free)


async def test_broadcast_alerts_shows_it_until_it_expires(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with nightsafe_for_alerts(local_bot_api, database_url) as bot:
        alex = bot.user(2001, "Alex")
        await _subscribe(bot, [alex], ["soho"])
        staff = bot.user(STAFF, "Sam")
        await compose(bot, staff, "Pickpockets around Chinatown", expiry="2 hours")
        await send_and_report(bot, staff)
        await alex.next_reply()  # the alert itself
        await alex.send_command("/alerts")
        assert "Pickpockets around Chinatown" in (await alex.next_reply()).text
        bot.clock.now += timedelta(hours=2)
        await alex.send_command("/alerts")
        assert (await alex.next_reply()).text.startswith("✅ No active safety alerts")
        await staff.send_command("/broadcasts")
        listing = await staff.next_reply()
        assert listing.text.startswith("📣 Recent alerts")
        assert "#1 · Sat 23:40 · sent" in listing.text
        assert "✅ 1 of 1 delivered" in listing.text
