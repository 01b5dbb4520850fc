"""Pacing of outgoing messages, pure and in-process.

- `SendWindow`: at most `rate` sends in any second, each counted from its start until
  one second after its own answer (Telegram sees the request somewhere in between).
  The alert sender's window lies `within` the process's budget of Telegram's 30 a
  second, which the interactive bot's sends count in too: together they stay under it.
- `FloodGate`: a 429 closes it for retry_after; all sending pauses.
- `ChatSpacing`: one message a second per chat, from the answer to the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Monotonic = Callable[[], float]

TELEGRAM_MESSAGES_PER_SECOND = 30  # Telegram's limit for one bot, all chats together
WAITERS_FIRST_SECONDS = 0.005  # how soon to look again while others take their room


@dataclass(eq=False)
class Batch:
    """Sends reserved together."""

    outer: Batch | None = None  # the same sends in the budget the window lies within


class SendWindow:
    """At most `rate` sends in any `period`.

    Each send counts from its reservation until one period after its own answer:
    Telegram sees the request somewhere in between, so its own window never holds more
    than this one does. Bursts sent whole a period apart (the delivery worker gathers
    them) let a 429's pause, which starts at an answer, fall inside the wait that was
    coming anyway."""

    def __init__(
        self, rate: float, clock: Monotonic = time.monotonic, *, within: SendWindow | None = None
    ) -> None:
        self.limit = max(1, int(rate))
        self.period = self.limit / rate
        self._clock = clock
        self._counting: deque[float] = deque()  # when each answered send stops counting
        self._used = 0  # sends reserved and not answered, and answered ones still counting
        self._last_answer: float | None = None
        self._changed = asyncio.Event()
        # `within`: a wider budget shared with other senders (the interactive bot); this
        # window's sends count there too, and its waiting senders go first.
        self._within = within
        self._listeners: list[asyncio.Event] = []
        self.waiting = 0  # senders inside wait_for_room()
        if within is not None:
            within._listeners.append(self._changed)

    def _expire(self) -> None:
        now = self._clock()
        while self._counting and self._counting[0] <= now:
            self._counting.popleft()
            self._used -= 1

    def _room(self) -> int:
        self._expire()
        return max(0, self.limit - self._used)

    def available(self) -> int:
        room = self._room()
        if self._within is not None:
            room = min(room, self._within._room() - self._within.waiting)
        return max(0, room)

    def open(self, count: int) -> Batch:
        """Reserve `count` sends (after `available()` showed the room)."""
        outer = self._within.open(count) if self._within is not None else None
        self._used += count
        return Batch(outer)

    def give_back(self, batch: Batch, count: int = 1) -> None:
        """Reserved sends that never started: they leave no trace."""
        if count <= 0:
            return
        if batch.outer is not None and self._within is not None:
            self._within.give_back(batch.outer, count)
        self._used -= count
        self._notify()

    def answered(self, batch: Batch, *, counts: bool = True) -> None:
        """One send of the batch has its answer; `counts=False` when Telegram refused it
        (a 429 is not a message sent)."""
        if batch.outer is not None and self._within is not None:
            self._within.answered(batch.outer, counts=counts)
        self._last_answer = now = self._clock()
        if counts:  # it counts on until a period after this answer
            self._counting.append(now + self.period)
        else:
            self._used -= 1
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        for listener in self._listeners:
            listener.set()

    def _own_wait(self) -> float:
        if self._room() > 0:
            return 0.0
        return max(0.0, self._counting[0] - self._clock()) if self._counting else math.inf

    def wait_time(self) -> float:
        """Seconds until there is room (inf: only an answer can make room)."""
        if self.available() > 0:
            return 0.0
        wait = self._own_wait()
        if self._within is not None:
            wait = max(wait, self._within._own_wait())
        # Room everywhere, but senders of the wider budget wait for it first.
        return wait if wait > 0 else WAITERS_FIRST_SECONDS

    def last_answer(self) -> float | None:
        return self._last_answer

    def whole_in(self) -> float | None:
        """Seconds until none of this window's sends count any more (None: some still
        wait for their answers)."""
        self._expire()
        if self._used > len(self._counting):
            return None
        return max(0.0, self._counting[-1] - self._clock()) if self._counting else 0.0

    async def wait_for_room(self) -> None:
        self.waiting += 1
        try:
            while (wait := self.wait_time()) > 0:
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    timeout = None if math.isinf(wait) else wait
                    await asyncio.wait_for(self._changed.wait(), timeout)
        finally:
            self.waiting -= 1
            self._notify()


class FloodGate:
    """One gate for the whole sender: a 429 closes it for retry_after."""

    def __init__(self, clock: Monotonic = time.monotonic) -> None:
        self._clock = clock
        self._opens_at = 0.0

    def close_for(self, seconds: float) -> None:
        self._opens_at = max(self._opens_at, self._clock() + seconds)

    def remaining(self) -> float:
        return max(0.0, self._opens_at - self._clock())

    async def wait_open(self) -> None:
        remaining = self.remaining()
        while remaining > 0:  # a later 429 may have closed it for longer meanwhile
            await asyncio.sleep(remaining)
            remaining = self.remaining()


class ChatSpacing:
    """At most one message per `seconds` to a chat: from the answer to the previous
    one (Telegram saw it no later than that) to the start of the next."""

    def __init__(self, seconds: float = 1.0, clock: Monotonic = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int | str, float] = {}
        self._in_flight: set[int | str] = set()

    def wait_time(self, chat: int | str) -> float:
        if chat in self._in_flight:
            return self.seconds
        last = self._last.get(chat)
        return 0.0 if last is None else max(0.0, last + self.seconds - self._clock())

    def busy(self, chat: int | str) -> bool:
        return self.wait_time(chat) > 0

    def start(self, chat: int | str) -> None:
        self._in_flight.add(chat)

    def finish(self, chat: int | str) -> None:
        self._in_flight.discard(chat)
        self._last[chat] = self._clock()
        if len(self._last) > 4096:
            self._forget_old()

    def note_sent(self, chat: int | str) -> None:
        """Someone else (the interactive bot) has just sent to this chat."""
        self._last[chat] = max(self._last.get(chat, -math.inf), self._clock())

    async def wait_turn(self, chat: int | str) -> None:
        wait = self.wait_time(chat)
        while wait > 0:  # a send to the chat may be in flight: look again after
            await asyncio.sleep(wait)
            wait = self.wait_time(chat)

    def next_free_in(self) -> float | None:
        """Seconds until some chat that is waiting its turn is free again."""
        now = self._clock()
        waits = [last + self.seconds - now for last in self._last.values()]
        pending = [w for w in waits if w > 0]
        return min(pending) if pending else None

    def _forget_old(self) -> None:
        horizon = self._clock() - self.seconds
        self._last = {chat: at for chat, at in self._last.items() if at > horizon}
