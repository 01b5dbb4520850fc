"""Outgoing per-chat pacing and incoming flood control, on a simulated clock."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.handlers.flood import FloodGate
from bot.ratelimit import ChatPacer


class SimulatedTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_chat_pacer_allows_a_burst_then_one_a_second() -> None:
    time = SimulatedTime()
    pacer = ChatPacer(rate=1.0, burst=3, clock=time, sleep=time.sleep)
    sent_at = []
    for _ in range(10):
        await pacer.wait_turn(42)
        sent_at.append(time.now)
    assert sent_at[:3] == [1000.0, 1000.0, 1000.0]
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent_at[2:])]
    assert all(abs(gap - 1.0) < 1e-9 for gap in gaps)
    # Over any long stretch: no more than one a second, plus the burst.
    assert len(sent_at) <= (sent_at[-1] - sent_at[0]) * 1.0 + 3


async def test_chat_pacer_paces_each_chat_on_its_own() -> None:
    time = SimulatedTime()
    pacer = ChatPacer(rate=1.0, burst=1, clock=time, sleep=time.sleep)
    await asyncio.gather(*(pacer.wait_turn(chat) for chat in range(50)))
    assert time.now == 1000.0  # fifty chats, one message each: nobody waits


async def test_chat_pacer_refills_after_a_quiet_spell() -> None:
    time = SimulatedTime()
    pacer = ChatPacer(rate=1.0, burst=3, clock=time, sleep=time.sleep)
    for _ in range(3):
        await pacer.wait_turn(7)
    time.now += 10
    start = time.now
    for _ in range(3):
        await pacer.wait_turn(7)
    assert time.now == start


async def test_chat_pacer_counts_the_next_turn_from_the_answer() -> None:
    time = SimulatedTime()
    pacer = ChatPacer(rate=1.0, burst=1, clock=time, sleep=time.sleep)
    await pacer.wait_turn(7)  # starts at 1000.0
    time.now += 0.3  # its answer comes back: Telegram may have seen it only now
    pacer.finished(7)
    await pacer.wait_turn(7)
    assert time.now == pytest.approx(1001.3)


def test_flood_gate_admits_a_burst_then_a_few_a_second() -> None:
    time = SimulatedTime()
    gate = FloodGate(rate=2.0, burst=5, clock=time)
    assert [gate.admit(1) for _ in range(7)] == [True] * 5 + [False] * 2
    assert gate.admit(2)  # someone else is not slowed
    time.now += 0.5
    assert gate.admit(1)
    assert not gate.admit(1)


def test_flood_gate_warns_once_until_the_person_slows_down() -> None:
    time = SimulatedTime()
    gate = FloodGate(rate=1.0, burst=1, clock=time)
    gate.admit(1)
    assert not gate.admit(1)
    assert gate.should_warn(1)
    assert not gate.should_warn(1)
    time.now += 5
    assert gate.admit(1)
    assert not gate.admit(1)
    assert gate.should_warn(1)
