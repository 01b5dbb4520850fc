"""The delivery worker's pacing and its reading of failed sends, on a hand-moved clock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery import Verdict, channel_chat, classify, retry_after_seconds
from bot.pacing import Batch, ChatSpacing, FloodGate, SendWindow


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_send_window_counts_each_send_until_a_second_after_its_own_answer() -> None:
    clock = Clock()
    window = SendWindow(3, clock)
    assert window.available() == 3
    batch = window.open(3)
    assert window.available() == 0
    assert window.wait_time() == float("inf")  # only an answer can make room
    clock.now += 0.2
    window.answered(batch)  # at 100.2: counts until 101.2
    clock.now += 0.5
    window.answered(batch)
    window.answered(batch)  # at 100.7: count until 101.7
    assert window.available() == 0
    assert window.wait_time() == pytest.approx(0.5)
    clock.now = 101.19
    assert window.available() == 0
    clock.now = 101.2
    assert window.available() == 1
    clock.now = 101.7
    assert window.available() == 3


def test_send_window_tells_when_all_its_room_is_back() -> None:
    clock = Clock()
    window = SendWindow(3, clock)
    assert window.whole_in() == 0.0
    batch = window.open(2)
    assert window.whole_in() is None  # sends still wait for their answers
    window.answered(batch)
    clock.now += 0.25
    window.answered(batch)  # the last counts until 101.25
    assert window.whole_in() == pytest.approx(1.0)
    clock.now = 101.25
    assert window.whole_in() == 0.0


def test_send_window_refused_and_unused_sends_do_not_count() -> None:
    clock = Clock()
    window = SendWindow(3, clock)
    batch = window.open(3)
    window.give_back(batch, 1)  # reserved, never started
    assert window.available() == 1
    window.answered(batch, counts=False)  # a 429: no message was sent
    window.answered(batch)
    assert window.available() == 2
    clock.now += 1.0
    assert window.available() == 3
    assert window.last_answer() == pytest.approx(100.0)


def test_send_window_slower_than_one_a_second() -> None:
    clock = Clock()
    window = SendWindow(0.5, clock)  # one every two seconds
    window.answered(window.open(1))
    clock.now += 1.9
    assert window.available() == 0
    clock.now += 0.1
    assert window.available() == 1


def test_alert_window_within_the_shared_budget_takes_only_what_answers_leave() -> None:
    clock = Clock()
    budget = SendWindow(5, clock)  # Telegram's overall limit, scaled down
    alerts = SendWindow(4, clock, within=budget)
    answers = budget.open(2)  # two interactive answers in flight
    assert alerts.available() == 3  # 5 overall − 2, under its own 4
    burst = alerts.open(3)
    assert budget.available() == 0
    assert alerts.wait_time() == float("inf")  # until an answer comes back
    for _ in range(2):
        budget.answered(answers)  # at 100.0: in the budget until 101.0
    clock.now += 0.2
    for _ in range(3):
        alerts.answered(burst)  # at 100.2: in both until 101.2
    clock.now = 101.0
    # The answers no longer count; the alert window is still full.
    assert (alerts.available(), budget.available()) == (1, 2)
    clock.now = 101.2
    assert (alerts.available(), budget.available()) == (4, 5)


@pytest.mark.parametrize("seed", range(20))
def test_telegram_never_sees_more_than_the_budget_in_any_second(seed: int) -> None:
    """Whatever moment between its start and its answer Telegram sees each send, no
    one-second window holds more than the budget: alerts in their window inside it and
    answers outside it, with latencies from a millisecond to a second."""
    rng = random.Random(seed)
    clock = Clock()
    budget = SendWindow(6, clock)
    alerts = SendWindow(5, clock, within=budget)
    flights: list[tuple[float, float]] = []  # (start, answer) of every send that counted
    pending: list[tuple[float, SendWindow, Batch, bool]] = []  # (answer at, …, counts)
    for _ in range(4000):
        clock.now += rng.choice([0.0, 0.001, 0.01, 0.1, 0.3])
        for answer_at, window, batch, counts in sorted(pending, key=lambda p: p[0]):
            if answer_at <= clock.now:
                window.answered(batch, counts=counts)
        pending = [p for p in pending if p[0] > clock.now]
        window = alerts if rng.random() < 0.7 else budget
        wanted = rng.randint(1, 5)
        if (room := window.available()) == 0:
            continue
        batch = window.open(wanted := min(wanted, room))
        if unused := rng.randint(0, wanted - 1) if rng.random() < 0.2 else 0:
            window.give_back(batch, unused)
        for _ in range(wanted - unused):
            answer_at = clock.now + rng.choice([0.001, 0.02, 0.3, 1.0])
            counts = rng.random() > 0.05  # some are 429s
            pending.append((answer_at, window, batch, counts))
            if counts:
                flights.append((clock.now, answer_at))
    assert len(flights) > 1000
    edges = sorted({end for flight in flights for end in flight})
    for t in edges:  # windows (t - 1, t] ending at each start and answer
        seen = sum(1 for start, answer in flights if start <= t and answer > t - 1)
        assert seen <= 6, f"{seen} sends could fall in the second up to {t}"


async def test_answers_waiting_for_the_budget_go_before_alerts() -> None:
    clock = Clock()
    budget = SendWindow(2, clock)
    alerts = SendWindow(2, clock, within=budget)
    burst = alerts.open(2)
    waiting = asyncio.ensure_future(budget.wait_for_room())
    await asyncio.sleep(0)
    assert budget.waiting == 1
    alerts.give_back(burst, 2)  # room again: the waiting answer comes first
    assert alerts.available() == 1
    await waiting
    assert budget.waiting == 0
    budget.open(1)
    assert (alerts.available(), budget.available()) == (1, 1)


def test_flood_gate_closes_for_the_longest_wait_asked() -> None:
    clock = Clock()
    gate = FloodGate(clock)
    assert gate.remaining() == 0
    gate.close_for(3)
    clock.now += 1
    gate.close_for(1)  # a shorter wait does not reopen it early
    assert gate.remaining() == pytest.approx(2)
    clock.now += 2
    assert gate.remaining() == 0


def test_chat_spacing_one_message_a_second_per_chat() -> None:
    clock = Clock()
    spacing = ChatSpacing(1.0, clock)
    assert not spacing.busy(7)
    spacing.start(7)
    assert spacing.busy(7)  # in flight
    assert not spacing.busy(8)
    clock.now += 0.3
    spacing.finish(7)
    clock.now += 0.9
    assert spacing.busy(7)
    assert spacing.next_free_in() == pytest.approx(0.1)
    clock.now += 0.1
    assert not spacing.busy(7)
    assert spacing.next_free_in() is None


@pytest.mark.parametrize(
    ("make_error", "verdict"),
    [
        (lambda: RetryAfter(3), Verdict.FLOOD),
        (lambda: Forbidden("Forbidden: bot was blocked by the user"), Verdict.BLOCKED),
        (lambda: Forbidden("Forbidden: user is deactivated"), Verdict.BLOCKED),
        (lambda: BadRequest("Bad Request: chat not found"), Verdict.NOT_FOUND),
        (lambda: BadRequest("Bad Request: can't parse entities"), Verdict.FAILED),
        (lambda: NetworkError("Bad Gateway"), Verdict.RETRY),
        (lambda: NetworkError("Internal Server Error (500)"), Verdict.RETRY),
    ],
)
def test_classify_failed_sends(make_error: Callable[[], TelegramError], verdict: Verdict) -> None:
    # Built in the test: PTB reads PTB_TIMEDELTA (set by a fixture) when making a RetryAfter.
    assert classify(make_error()) is verdict


def _timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut from cause
    except TimedOut as error:
        return error


def test_classify_timeouts_ambiguous_only_once_the_request_went_out() -> None:
    request = httpx.Request("POST", "http://localhost/bot1:a/sendMessage")
    assert classify(_timed_out(httpx.ReadTimeout("late", request=request))) is Verdict.AMBIGUOUS
    assert classify(_timed_out(httpx.ConnectTimeout("no", request=request))) is Verdict.RETRY
    assert classify(_timed_out(httpx.PoolTimeout("busy", request=request))) is Verdict.RETRY


def test_retry_after_in_seconds() -> None:
    assert retry_after_seconds(RetryAfter(timedelta(seconds=7))) == 7.0


@pytest.mark.parametrize(
    ("setting", "chat"),
    [("@west_end_alerts", "@west_end_alerts"), ("-1001234", -1001234), ("", None), (None, None)],
)
def test_channel_setting(setting: str | None, chat: int | str | None) -> None:
    assert channel_chat(setting) == chat
