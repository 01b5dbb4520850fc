"""Live location: the answer follows the person, edited in place only when the list
changes, never faster than the chat's pace, and it says so when sharing stops. No
position is kept: not in the database, not in the logs, not in the bot's memory."""

from __future__ import annotations

import io
import itertools
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.handlers.live import LiveLocations
from bot.live_tracking import LiveTracker, LiveView
from bot.local_api import LocalBotApiServer
from bot.local_api.recorder import RecordedCall
from bot.local_api.state import ChatMessage
from bot.render import Reply
from bot.texts import Html
from tests.bot.nightsafe import NightSafe, all_rows, running_nightsafe
from venues import repository
from venues.model import Point

LEICESTER_SQUARE = Point(51.51030, -0.13010)
COVENT_GARDEN = Point(51.51180, -0.12350)
SOHO = Point(51.51360, -0.13400)
FOLLOWING = "📡 Live: this list follows you while you share your live location."
STOPPED = "⏹ Live updates stopped. Share your location again for a fresh list."
HOUR = 3600


@pytest.fixture
async def live_bot(local_bot_api: LocalBotApiServer, database_url: str) -> AsyncIterator[NightSafe]:
    """The bot, with live answers edited at Telegram's own pace (one a second)."""
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_LIVE_EDIT_SECONDS=1) as bot:
        yield bot


def _edits(bot: NightSafe, chat_id: int) -> list[RecordedCall]:
    return [
        call
        for call in bot.server.calls_to("editMessageText")
        if call.chat_id == chat_id and call.ok
    ]


async def _static_answer(bot: NightSafe, point: Point) -> str:
    """What an ordinary (not live) location there answers, for comparison."""
    carol = bot.user(3003, "Carol")
    await carol.send_location(point.latitude, point.longitude)
    _, answer = await carol.next_replies(2)
    return answer.text or ""


async def _start_live(bot: NightSafe, point: Point, period: int = HOUR) -> ChatMessage:
    alex = bot.user()
    await alex.send_location(point.latitude, point.longitude, live_period=period)
    pin, answer = await alex.next_replies(2)
    assert pin.venue is not None
    return answer


def _jitter(point: Point, step: int) -> Point:
    """A few metres of GPS noise around a point."""
    offset = (-1) ** step * 0.00002
    return Point(point.latitude + offset, point.longitude - offset)


def _tracker(bot: NightSafe) -> LiveTracker:
    for group in bot.application.handlers.values():
        for handler in group:
            owner = getattr(handler.callback, "__self__", None)
            if isinstance(owner, LiveLocations):
                return owner.tracker
    raise LookupError("the live location handlers are not registered")


async def test_live_location_answer_is_edited_only_when_the_list_changes(
    live_bot: NightSafe,
) -> None:
    alex = live_bot.user()
    answer = await _start_live(live_bot, LEICESTER_SQUARE)
    assert answer.text == f"{await _static_answer(live_bot, LEICESTER_SQUARE)}\n\n{FOLLOWING}"
    # While following, only links (no button holding the person's position).
    assert answer.buttons == [["🧭 Directions"]]
    for step in range(6):
        moved = _jitter(LEICESTER_SQUARE, step)
        await alex.move_live_location(moved.latitude, moved.longitude)
    await live_bot.all_handled()
    assert _edits(live_bot, alex.id) == []
    await alex.move_live_location(COVENT_GARDEN.latitude, COVENT_GARDEN.longitude)
    await live_bot.server.wait_for(lambda _: _edits(live_bot, alex.id))
    expected = await _static_answer(live_bot, COVENT_GARDEN)
    assert answer.text == f"{expected}\n\n{FOLLOWING}"
    assert len(_edits(live_bot, alex.id)) == 1
    assert [m.message_id for m in alex.replies] == [answer.message_id - 1, answer.message_id]


async def test_live_location_new_closing_time_is_edited_in(live_bot: NightSafe) -> None:
    alex = live_bot.user()
    answer = await _start_live(live_bot, LEICESTER_SQUARE)
    assert "Demo Safe Haven — Leicester Square" in (answer.text or "")
    assert "open until 04:00" in (answer.text or "")
    services = live_bot.services
    async with services.sessions() as session, session.begin():
        venues = await repository.list_public_venues(session)
        haven = next(v for v in venues if v.name == "Demo Safe Haven — Leicester Square")
        await repository.update_hours(session, haven.id, "Fr,Sa 22:00-05:00")
    await services.catalogue.refresh()
    moved = _jitter(LEICESTER_SQUARE, 1)
    await alex.move_live_location(moved.latitude, moved.longitude)
    await live_bot.server.wait_for(lambda _: _edits(live_bot, alex.id))
    assert "open until 05:00" in (answer.text or "")
    assert "open until 04:00" not in (answer.text or "")


async def test_live_location_fast_moves_keep_the_chat_pace_and_end_on_the_last_position(
    live_bot: NightSafe,
) -> None:
    alex = live_bot.user()
    answer = await _start_live(live_bot, LEICESTER_SQUARE)
    violations = live_bot.server.flood_violations
    sent_at = live_bot.server.calls_to("sendMessage")[-1].at
    # Each burst ends somewhere else than the list shown before it.
    route = [COVENT_GARDEN, SOHO, LEICESTER_SQUARE]
    moves = 0
    # Three bursts of ten moves, each right after the previous edit: 30 moves in ~3 s.
    for burst in range(3):
        for step in range(10):
            point = route[(burst * 10 + step) % 3]
            await alex.move_live_location(point.latitude, point.longitude)
            moves += 1
        await live_bot.server.wait_for(lambda _, n=burst + 1: len(_edits(live_bot, alex.id)) >= n)
    last = route[(moves - 1) % 3]
    edits = _edits(live_bot, alex.id)
    assert moves == 30
    assert len(edits) == 3  # one a second at most, the latest position each time
    times = [sent_at, *(call.at for call in edits)]
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    assert live_bot.server.flood_violations == violations
    assert answer.text == f"{await _static_answer(live_bot, last)}\n\n{FOLLOWING}"


async def test_live_location_stopped_by_the_person_says_so_and_is_forgotten(
    live_bot: NightSafe,
) -> None:
    alex = live_bot.user()
    answer = await _start_live(live_bot, LEICESTER_SQUARE)
    await alex.move_live_location(SOHO.latitude, SOHO.longitude)
    await alex.stop_live_location()
    await live_bot.server.wait_for(lambda _: STOPPED in (answer.text or ""))
    # The final position's answer, marked as no longer following.
    assert answer.text == f"{await _static_answer(live_bot, SOHO)}\n\n{STOPPED}"
    assert answer.buttons == [["🧭 Directions"]]
    assert len(_tracker(live_bot)) == 0
    assert len(_edits(live_bot, alex.id)) == 1  # the stop replaced the pending move


async def test_live_location_whose_period_ends_says_so(live_bot: NightSafe) -> None:
    answer = await _start_live(live_bot, LEICESTER_SQUARE, period=1)
    await live_bot.server.wait_for(lambda _: STOPPED in (answer.text or ""))
    expected = await _static_answer(live_bot, LEICESTER_SQUARE)
    assert answer.text == f"{expected}\n\n{STOPPED}"
    assert len(_tracker(live_bot)) == 0


async def test_live_location_after_a_restart_gets_a_fresh_answer(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url) as bot:
        first = await _start_live(bot, LEICESTER_SQUARE)
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        alex = bot.user()
        await alex.move_live_location(SOHO.latitude, SOHO.longitude)
        _, fresh = await alex.next_replies(2)
        assert fresh.text == f"{await _static_answer(bot, SOHO)}\n\n{FOLLOWING}"
        assert fresh.message_id != first.message_id
        assert _tracker(bot).following((alex.id, alex.transcript().messages[0].message_id))


# --- privacy ------------------------------------------------------------------------------

# Not within 10 m of a venue: venue coordinates (pins, directions) are not the person's.
PATH = [Point(51.510267, -0.130423), Point(51.511943, -0.123661), Point(51.513479, -0.134212)]


def _texts() -> list[str]:
    """The positions as text, to four decimals (about 10 m)."""
    return [f"{value:.6f}"[:-2] for value in _values()]


def _values() -> list[float]:
    return [value for point in PATH for value in (point.latitude, point.longitude)]


def _tracker_state(tracker: LiveTracker) -> str:
    return repr(vars(tracker))


async def test_live_location_positions_are_never_stored_logged_or_kept(
    local_bot_api: LocalBotApiServer, database_url: str, bot_log: io.StringIO
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_LIVE_EDIT_SECONDS=1) as bot:
        alex = bot.user()
        answer = await _start_live(bot, PATH[0])
        await alex.move_live_location(PATH[1].latitude, PATH[1].longitude)
        await bot.server.wait_for(lambda _: _edits(bot, alex.id))
        await alex.move_live_location(PATH[2].latitude, PATH[2].longitude)
        await bot.all_handled()
        # Followed, with the last move waiting for its turn: still no position kept.
        memory = _tracker_state(_tracker(bot))
        assert "message_id" in memory, "the state dump is empty"
        assert "Demo" in memory, "the state dump is empty"
        assert [text for text in _texts() if text in memory] == []
        await alex.stop_live_location()
        await bot.server.wait_for(lambda _: STOPPED in (answer.text or ""))
        rows = await all_rows(bot)
    assert [text for text in _texts() if text in rows] == []
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = Path(url.database or "")
        stored = b"".join(
            path.read_bytes() for path in (database, Path(f"{database}-wal")) if path.exists()
        )
        assert stored, "the database file was not found"
        binary = [struct.pack(order, value) for value in _values() for order in (">d", "<d")]
        needles = [text.encode() for text in _texts()] + binary
        assert [needle for needle in needles if needle in stored] == []
    logged = bot_log.getvalue()
    assert "editMessageText" in logged, "the capture did not work"
    assert [text for text in _texts() if text in logged] == []


# --- the pace, on a clock the test moves (the calm interval, without waiting) --------------


@dataclass
class _Timers:
    """Timers on the test's clock: run when the test moves time past them."""

    clock: list[float]
    due: list[tuple[float, Callable[[], Awaitable[None]], list[bool]]] = field(default_factory=list)

    def later(self, delay_s: float, action: Callable[[], Awaitable[None]]) -> _Timer:
        cancelled = [False]
        self.due.append((self.clock[0] + delay_s, action, cancelled))
        return _Timer(cancelled)

    async def advance(self, seconds: float) -> None:
        target = self.clock[0] + seconds
        while True:
            ready = sorted(
                (t for t in self.due if t[0] <= target and not t[2][0]), key=lambda t: t[0]
            )
            if not ready:
                break
            when, action, cancelled = ready[0]
            self.due.remove(ready[0])
            self.clock[0] = max(self.clock[0], when)
            cancelled[0] = True
            await action()
        self.clock[0] = target


@dataclass
class _Timer:
    cancelled: list[bool]

    def cancel(self) -> None:
        self.cancelled[0] = True


@dataclass
class _Chat:
    """Edits as the chat received them: (time, message id, text)."""

    clock: list[float]
    edits: list[tuple[float, int, str]] = field(default_factory=list)
    gone: bool = False

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        self.edits.append((self.clock[0], message_id, str(reply.text)))
        return not self.gone


def _view(ranking: str) -> LiveView:
    return LiveView(
        (ranking,), Reply(Html(f"near {ranking}")), Reply(Html(f"near {ranking}, stopped"))
    )


WALL = datetime(2026, 11, 28, 23, 40, tzinfo=UTC)


def _paced(interval_s: float = 5.0) -> tuple[LiveTracker, _Timers, _Chat]:
    clock = [100.0]
    timers, chat = _Timers(clock), _Chat(clock)
    tracker = LiveTracker(
        chat.edit,
        timers,
        interval_s=interval_s,
        clock=lambda: clock[0],
        wall_clock=lambda: WALL.timestamp() + clock[0] - 100.0,
    )
    return tracker, timers, chat


async def test_live_tracker_calm_interval_coalesces_moves_into_one_trailing_edit() -> None:
    tracker, timers, chat = _paced(5.0)
    key = (7, 1)
    tracker.start(key, 2, _view("a"), WALL + timedelta(hours=1))
    for second, ranking in enumerate(["b", "c", "b", "d"]):
        await timers.advance(1.0 if second else 0.5)
        await tracker.move(key, _view(ranking), WALL + timedelta(hours=1))
    assert chat.edits == []  # 3.5 s after the answer: too soon
    await timers.advance(1.49)
    assert chat.edits == []
    await timers.advance(0.02)
    assert chat.edits == [(105.0, 2, "near d")]  # the latest position, 5 s after the answer
    await tracker.move(key, _view("e"), WALL + timedelta(hours=1))
    await timers.advance(4.9)
    assert len(chat.edits) == 1
    await timers.advance(0.2)
    assert chat.edits[-1] == (110.0, 2, "near e")


async def test_live_tracker_back_to_what_is_shown_cancels_the_waiting_edit() -> None:
    tracker, timers, chat = _paced(5.0)
    key = (7, 1)
    tracker.start(key, 2, _view("a"), WALL + timedelta(hours=1))
    await tracker.move(key, _view("b"), WALL + timedelta(hours=1))
    await tracker.move(key, _view("a"), WALL + timedelta(hours=1))
    await timers.advance(30)
    assert chat.edits == []


async def test_live_tracker_stop_waits_only_for_telegrams_gap_then_forgets() -> None:
    tracker, timers, chat = _paced(5.0)
    key = (7, 1)
    tracker.start(key, 2, _view("a"), WALL + timedelta(hours=1))
    await tracker.move(key, _view("b"), WALL + timedelta(hours=1))
    await timers.advance(0.5)
    await tracker.stop(key, _view("c"))
    await timers.advance(0.49)
    assert chat.edits == []
    await timers.advance(0.02)
    assert chat.edits == [(101.0, 2, "near c, stopped")]
    assert len(tracker) == 0
    await timers.advance(HOUR * 2)  # the expiry was cancelled with the rest
    assert len(chat.edits) == 1


async def test_live_tracker_period_end_marks_the_shown_answer_stopped() -> None:
    tracker, timers, chat = _paced(5.0)
    key = (7, 1)
    tracker.start(key, 2, _view("a"), WALL + timedelta(minutes=1))
    await timers.advance(59.9)
    assert chat.edits == []
    await timers.advance(0.2)
    assert chat.edits == [(160.0, 2, "near a, stopped")]
    assert len(tracker) == 0


async def test_live_tracker_shares_one_pace_between_answers_in_one_chat() -> None:
    tracker, timers, chat = _paced(5.0)
    tracker.start((7, 1), 2, _view("a"), WALL + timedelta(hours=1))
    tracker.start((7, 3), 4, _view("a"), WALL + timedelta(hours=1))
    await timers.advance(6)
    await tracker.move((7, 1), _view("b"), WALL + timedelta(hours=1))
    await tracker.move((7, 3), _view("c"), WALL + timedelta(hours=1))
    await timers.advance(20)
    assert [(at, message) for at, message, _ in chat.edits] == [(106.0, 2), (111.0, 4)]


async def test_live_tracker_forgets_an_answer_that_was_deleted() -> None:
    tracker, timers, chat = _paced(1.0)
    key = (7, 1)
    tracker.start(key, 2, _view("a"), WALL + timedelta(hours=1))
    chat.gone = True
    await timers.advance(2)
    await tracker.move(key, _view("b"), WALL + timedelta(hours=1))
    assert len(chat.edits) == 1
    assert not tracker.following(key)


async def test_live_tracker_beyond_its_limit_has_no_room() -> None:
    clock = [0.0]
    timers, chat = _Timers(clock), _Chat(clock)
    tracker = LiveTracker(chat.edit, timers, interval_s=1, max_sessions=1)
    tracker.start((7, 1), 2, _view("a"), WALL + timedelta(hours=1))
    assert not tracker.has_room()
