"""The alert outbox worker against the local Bot API server: each recipient once, 429s
waited out, 403s unsubscribed, 5xx retried, timeouts ambiguous, restarts resumed, one
sender at a time, Telegram's global and per-chat limits kept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.db import SessionFactory
from bot.delivery import DeliveryWorker
from bot.local_api import FaultKind, LocalBotApiServer, SimulatedUser
from bot.models import DeliveryLeaseRow, OutboxRow
from bot.settings import Settings
from bot.store import outbox, subscriptions
from bot.store.alerts import Alert, Audience, Priority
from bot.store.outbox import OutboxState, Outcome, RecipientKind
from tests.bot.nightsafe import FrozenClock, make_settings
from venues.partnership import Partnership, load_partnership

STAFF = 9001
FAST = {
    "NIGHTSAFE_ALERT_PROGRESS_SECONDS": 0.2,
    "NIGHTSAFE_ALERT_POLL_SECONDS": 0.1,
    "NIGHTSAFE_ALERT_RETRY_SECONDS": 0.05,
}


def _settings(server: LocalBotApiServer, database_url: str, **overrides: Any) -> Settings:
    return make_settings(server, database_url, **{**FAST, **overrides})


def _partnership(settings: Settings) -> Partnership:
    return load_partnership(settings.data_dir)


async def _subscribe(sessions: SessionFactory, chat_ids: Sequence[int], **quiet: str) -> None:
    async with sessions() as session, session.begin():
        for chat_id in chat_ids:
            await subscriptions.subscribe(session, chat_id, ["soho"], "en")
            if quiet:
                await subscriptions.set_quiet_hours(session, chat_id, quiet["start"], quiet["end"])


async def _queue(
    sessions: SessionFactory,
    settings: Settings,
    now: datetime,
    *,
    priority: Priority = Priority.NORMAL,
    hours: float = 6,
    text: str = "Reports of drink spiking around Dean Street",
) -> Alert:
    """An alert to every subscriber, queued as /broadcast queues it."""
    partnership = _partnership(settings)
    draft = outbox.draft_alert(
        text=text,
        audience=Audience.PUBLIC,
        zones=[],
        priority=priority,
        created_by=STAFF,
        now=now,
        expires_at=now + timedelta(hours=hours),
    )
    async with sessions() as session, session.begin():
        recipients = await outbox.plan(
            session, draft, partnership.zones, now, settings_zone(settings)
        )
        return await outbox.create_broadcast(
            session,
            draft,
            recipients,
            staff_chat_id=STAFF,
            staff_language="en",
            progress_message_id=None,
            paid=False,
            mirror_to_channel=False,
            now=now,
        )


@dataclass
class Queued:
    """An alert queued for `people` (subscribers to Soho); `staff` gets the report."""

    settings: Settings
    staff: SimulatedUser
    people: list[SimulatedUser]


async def _alert_for_people(
    server: LocalBotApiServer,
    database_url: str,
    sessions: SessionFactory,
    count: int,
    **overrides: Any,
) -> Queued:
    settings = _settings(server, database_url, **overrides)
    staff = server.user(STAFF, "Sam")
    people = [server.user(2000 + i, f"P{i}") for i in range(count)]
    await _subscribe(sessions, [p.id for p in people])
    await _queue(sessions, settings, FrozenClock().now)
    return Queued(settings, staff, people)


def settings_zone(settings: Settings) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.timezone)


@asynccontextmanager
async def worker(
    settings: Settings, sessions: SessionFactory, clock: FrozenClock | None = None
) -> AsyncIterator[DeliveryWorker]:
    running = DeliveryWorker(
        settings, sessions, _partnership(settings), clock=clock or FrozenClock()
    )
    running.start()
    try:
        yield running
    finally:
        await running.stop()


def _delivered_to(server: LocalBotApiServer, chat_id: int) -> int:
    return sum(1 for call in server.calls_to("sendMessage") if call.chat_id == chat_id and call.ok)


async def _rows(sessions: SessionFactory) -> dict[int, OutboxRow]:
    async with sessions() as session:
        return {row.chat_id: row for row in await session.scalars(select(OutboxRow))}


async def test_delivery_reaches_each_recipient_exactly_once(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    queued = await _alert_for_people(local_bot_api, database_url, sessions, 20)
    settings, staff, people = queued.settings, queued.staff, queued.people
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "✅ Delivered: 20" in report.text
    rows = await _rows(sessions)
    assert sorted(rows) == [p.id for p in people]  # one row per recipient
    for person in people:
        [message] = person.replies
        assert message.text.startswith("⚠️ Safety alert · West End NightSafe")
        assert rows[person.id].state == OutboxState.DELIVERED
        assert rows[person.id].message_id == message.message_id


async def test_delivery_an_idle_worker_finds_an_alert_queued_by_another_replica(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    # Nothing tells this worker about the second alert (no wake): it is queued in the
    # database, as a staff member on another replica queues it, after the worker has
    # sent everything and gone idle.
    queued = await _alert_for_people(local_bot_api, database_url, sessions, 3)
    settings, staff, people = queued.settings, queued.staff, queued.people
    async with worker(settings, sessions):
        first = await staff.next_reply()
        await _queue(sessions, settings, FrozenClock().now, text="Road closed on Old Compton St")
        second = await staff.next_reply()
    assert "✅ Delivered: 3" in first.text
    assert "✅ Delivered: 3" in second.text
    for person in people:
        assert "Road closed on Old Compton St" in person.replies[-1].text
        assert _delivered_to(local_bot_api, person.id) == 2


async def test_delivery_flood_wait_pauses_all_sending_then_resends(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    # One send at a time, so every send after the 429 began after its answer.
    queued = await _alert_for_people(
        local_bot_api, database_url, sessions, 6, NIGHTSAFE_ALERT_CONCURRENCY=1
    )
    settings, staff, people = queued.settings, queued.staff, queued.people
    local_bot_api.fail_next("sendMessage", FaultKind.FLOOD, retry_after=1)
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "⚠️ Failed: 0" in report.text
    assert "✅ Delivered: 6" in report.text
    sends = local_bot_api.calls_to("sendMessage")
    [flood] = [call for call in sends if call.status == 429]
    later = [call for call in sends if call.seq > flood.seq and call.ok]
    # Everything after the 429 waited the whole retry_after, the 429'd message included.
    assert later
    assert min(call.at for call in later) >= flood.at + 1.0
    assert sorted(_delivered_to(local_bot_api, p.id) for p in people) == [1] * 6
    rows = await _rows(sessions)
    assert rows[flood.chat_id].state == OutboxState.DELIVERED
    assert rows[flood.chat_id].attempts == 1  # waiting out a 429 is not an attempt


async def test_delivery_blocked_person_is_unsubscribed_and_not_tried_again(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    staff = local_bot_api.user(STAFF, "Sam")
    alex, blocker = local_bot_api.user(2001, "Alex"), local_bot_api.user(2002, "Bo")
    blocker.chat.blocked = True
    await _subscribe(sessions, [alex.id, blocker.id])
    await _queue(sessions, settings, FrozenClock().now)
    async with worker(settings, sessions) as running:
        report = await staff.next_reply()
        assert "🚫 Blocked the bot (unsubscribed): 1" in report.text
        async with sessions() as session:
            assert await subscriptions.get(session, blocker.id) is None
            assert await subscriptions.get(session, alex.id) is not None
        await _queue(sessions, settings, FrozenClock().now, text="Second alert")
        running.wake()
        await staff.next_reply()
    attempts = [c for c in local_bot_api.calls_to("sendMessage") if c.chat_id == blocker.id]
    assert [c.status for c in attempts] == [403]  # once, never again
    assert len(alex.replies) == 2


async def test_delivery_unsubscribes_in_the_same_transaction_as_the_outcome(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    await _subscribe(sessions, [2002])
    await _queue(sessions, settings, FrozenClock().now)
    [row] = (await _rows(sessions)).values()
    blocked = Outcome(row.id, 2002, RecipientKind.SUBSCRIBER, OutboxState.BLOCKED)
    at = datetime.now(UTC)
    async with sessions() as session, session.begin():
        await outbox.record(session, [blocked], owner="w", at=at)
        await session.rollback()  # the transaction fails: neither change remains
    assert (await _rows(sessions))[2002].state == OutboxState.PENDING
    async with sessions() as session:
        assert await subscriptions.get(session, 2002) is not None
    async with sessions() as session, session.begin():
        assert await outbox.record(session, [blocked], owner="w", at=at) == 1
    assert (await _rows(sessions))[2002].state == OutboxState.BLOCKED
    async with sessions() as session:
        assert await subscriptions.get(session, 2002) is None


async def test_delivery_chat_not_found_is_marked(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    staff = local_bot_api.user(STAFF, "Sam")
    alex = local_bot_api.user(2001, "Alex")
    await _subscribe(sessions, [alex.id, 777_000])  # Telegram knows no chat 777000
    await _queue(sessions, settings, FrozenClock().now)
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "❓ Chat not found: 1" in report.text
    assert (await _rows(sessions))[777_000].state == OutboxState.NOT_FOUND
    assert len(alex.replies) == 1


async def test_delivery_server_errors_are_retried_a_bounded_number_of_times(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url, NIGHTSAFE_ALERT_MAX_ATTEMPTS=3)
    staff = local_bot_api.user(STAFF, "Sam")
    lucky, unlucky = local_bot_api.user(2001, "Lu"), local_bot_api.user(2002, "Un")
    await _subscribe(sessions, [lucky.id, unlucky.id])
    await _queue(sessions, settings, FrozenClock().now)
    local_bot_api.fail_next("sendMessage", FaultKind.SERVER_ERROR, times=2, chat_id=lucky.id)
    local_bot_api.fail_next(
        "sendMessage", FaultKind.SERVER_ERROR, times=10, chat_id=unlucky.id, status=502
    )
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "✅ Delivered: 1" in report.text
    assert "⚠️ Failed: 1" in report.text
    rows = await _rows(sessions)
    assert (rows[lucky.id].state, rows[lucky.id].attempts) == (OutboxState.DELIVERED, 3)
    assert (rows[unlucky.id].state, rows[unlucky.id].attempts) == (OutboxState.FAILED, 3)
    assert len(lucky.replies) == 1
    assert not unlucky.replies


async def test_delivery_timed_out_send_is_ambiguous_and_not_resent(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url, NIGHTSAFE_ALERT_SEND_TIMEOUT=0.3)
    staff = local_bot_api.user(STAFF, "Sam")
    slow, alex = local_bot_api.user(2001, "Sl"), local_bot_api.user(2002, "Alex")
    await _subscribe(sessions, [slow.id, alex.id])
    await _queue(sessions, settings, FrozenClock().now)
    local_bot_api.fail_next(
        "sendMessage", FaultKind.TIMEOUT, chat_id=slow.id, hold_seconds=3, deliver=True
    )
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "❔ Ambiguous (may have arrived): 1" in report.text
    assert (await _rows(sessions))[slow.id].state == OutboxState.AMBIGUOUS
    assert len([c for c in local_bot_api.calls_to("sendMessage") if c.chat_id == slow.id]) == 1
    assert len(slow.replies) == 1  # it did arrive: sending it again would have doubled it
    assert len(alex.replies) == 1


async def test_delivery_restart_resumes_where_it_stopped_without_duplicates(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    queued = await _alert_for_people(
        local_bot_api, database_url, sessions, 12, NIGHTSAFE_SEND_RATE=5
    )
    settings, staff, people = queued.settings, queued.staff, queued.people

    def delivered(calls: list[Any]) -> int:
        return sum(1 for c in calls if c.method == "sendMessage" and c.ok and c.chat_id != STAFF)

    async with worker(settings, sessions):
        await local_bot_api.wait_for(lambda calls: delivered(calls) >= 5)
    stopped_at = delivered(local_bot_api.calls.calls)
    assert stopped_at < 12  # stopped half-way
    async with worker(settings, sessions):
        report = await staff.next_reply(timeout=10)
    assert "✅ Delivered: 12" in report.text
    assert [_delivered_to(local_bot_api, p.id) for p in people] == [1] * 12


async def _crash_with_one_row_in_flight(sessions: SessionFactory, chat_id: int) -> None:
    """As a worker that crashed mid-send leaves things: its lease ran out, one row is
    still `sending`."""
    async with sessions() as session, session.begin():
        await outbox.ensure_lease(session, datetime.now(UTC))
        await session.execute(
            update(DeliveryLeaseRow).values(
                owner="crashed", expires_at=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.chat_id == chat_id)
            .values(state=OutboxState.SENDING.value, claimed_by="crashed")
        )


async def test_delivery_can_leave_what_was_in_flight_at_a_crash_ambiguous(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    queued = await _alert_for_people(
        local_bot_api, database_url, sessions, 4, NIGHTSAFE_ALERT_RESEND_IN_FLIGHT="false"
    )
    settings, staff, people = queued.settings, queued.staff, queued.people
    await _crash_with_one_row_in_flight(sessions, people[0].id)
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "✅ Delivered: 3" in report.text
    assert "❔ Ambiguous (may have arrived): 1" in report.text
    assert not people[0].replies  # maybe it had arrived: never sent twice
    assert [len(p.replies) for p in people[1:]] == [1, 1, 1]


async def test_delivery_resends_what_was_in_flight_at_a_crash(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    # By default: a send in flight when the sender died may never have left it, and a
    # safety alert that nobody receives is worse than one received twice.
    queued = await _alert_for_people(local_bot_api, database_url, sessions, 3)
    settings, staff, people = queued.settings, queued.staff, queued.people
    await _crash_with_one_row_in_flight(sessions, people[0].id)
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "✅ Delivered: 3" in report.text  # nobody missed it (it might have come twice)
    assert [len(p.replies) for p in people] == [1, 1, 1]


async def test_delivery_one_worker_sends_at_a_time(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    queued = await _alert_for_people(local_bot_api, database_url, sessions, 30)
    settings, staff, people = queued.settings, queued.staff, queued.people
    async with worker(settings, sessions) as first, worker(settings, sessions) as second:
        await staff.next_reply()
        assert first.holding_lease != second.holding_lease
        holder = first if first.holding_lease else second
    owners = {row.claimed_by for row in (await _rows(sessions)).values()}
    assert owners == {holder.owner}
    assert [_delivered_to(local_bot_api, p.id) for p in people] == [1] * 30


async def test_delivery_keeps_the_global_rate_and_one_message_a_second_per_chat(
    database_url: str, sessions: SessionFactory
) -> None:
    async with LocalBotApiServer(sends_per_second=10, enforce_per_chat_limit=True) as server:
        settings = _settings(server, database_url, NIGHTSAFE_SEND_RATE=10)
        staff = server.user(STAFF, "Sam")
        people = [server.user(2000 + i, f"P{i}") for i in range(14)]
        await _subscribe(sessions, [p.id for p in people])
        now = FrozenClock().now
        await _queue(sessions, settings, now, text="First alert")
        await _queue(sessions, settings, now, text="Second alert")
        async with worker(settings, sessions):
            await staff.next_replies(2, timeout=10)
        sends = [c for c in server.calls_to("sendMessage") if c.chat_id != STAFF]
        assert len(sends) == 28
        assert all(c.ok for c in sends)
        assert server.flood.rejected == 0  # no 429 of the server's own
        assert server.flood_violations == 0
        times = sorted(c.at for c in sends)
        assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 10
        for person in people:
            first, second = (c.at for c in sends if c.chat_id == person.id)
            assert second - first >= 1.0
            assert [m.text.split("\n\n")[1] for m in person.replies] == [
                "First alert",
                "Second alert",
            ]


async def test_delivery_quiet_hours_wait_urgent_does_not(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    staff = local_bot_api.user(STAFF, "Sam")
    sleeper = local_bot_api.user(2001, "Sleepy")
    await _subscribe(sessions, [sleeper.id], start="23:00", end="07:00")
    clock = FrozenClock()  # Saturday 23:40: quiet
    await _queue(sessions, settings, clock.now, text="Normal one", hours=12)
    async with worker(settings, sessions, clock) as running:
        report = await staff.next_reply()
        assert "🌙 Waiting for quiet hours to end: 1" in report.text
        assert not sleeper.replies
        await _queue(sessions, settings, clock.now, text="Urgent one", priority=Priority.URGENT)
        running.wake()
        [urgent] = await sleeper.next_replies(1)
        assert "Urgent one" in urgent.text
        clock.now = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)  # quiet hours over
        running.wake()
        [normal] = await sleeper.next_replies(1)
        assert "Normal one" in normal.text


async def test_delivery_skips_what_expires_before_quiet_hours_end(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    staff = local_bot_api.user(STAFF, "Sam")
    sleeper = local_bot_api.user(2001, "Sleepy")
    await _subscribe(sessions, [sleeper.id], start="23:00", end="07:00")
    await _queue(sessions, settings, FrozenClock().now, hours=2)  # over by 01:40
    async with worker(settings, sessions):
        report = await staff.next_reply()
    assert "⌛ Not sent, the alert ended first: 1" in report.text
    assert not sleeper.replies


async def test_claim_takes_urgent_rows_first_then_the_oldest_one_per_chat(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    settings = _settings(local_bot_api, database_url)
    people = [2001, 2002, 2003]
    await _subscribe(sessions, people)
    now, wall = FrozenClock().now, datetime.now(UTC)
    normal = await _queue(sessions, settings, now, text="Normal")
    urgent = await _queue(sessions, settings, now, text="Urgent", priority=Priority.URGENT)

    async def claim(count: int) -> list[tuple[int, int]]:
        async with sessions() as session, session.begin():
            claimed = await outbox.claim(
                session,
                owner="me",
                now=now,
                wall_now=wall,
                limits={False: count},
                chat_is_busy=lambda chat: False,
            )
        return [(row.alert_id, row.chat_id) for row in claimed]

    async with sessions() as session, session.begin():
        await outbox.ensure_lease(session, wall)
        assert await outbox.take_lease(session, "me", wall, wall + timedelta(hours=1))
    # The urgent alert goes first, though queued last; one message per chat at a time.
    assert await claim(5) == [(urgent.id, chat) for chat in people]
    assert await claim(2) == [(normal.id, 2001), (normal.id, 2002)]
    assert await claim(5) == [(normal.id, 2003)]
    assert await claim(5) == []
