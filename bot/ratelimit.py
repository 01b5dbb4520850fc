"""Outgoing rate limits: Telegram's ~30 messages/s overall (python-telegram-bot's
AIORateLimiter) plus a per-chat pace it lacks — a short burst, then about one
message a second to any one chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.pacing import SendWindow

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

# Methods that put something new or changed in front of the user.
_PACED_PREFIXES = ("send", "edit", "copy", "forward")


@dataclass
class _Bucket:
    tokens: float
    updated: float
    lock: asyncio.Lock


class ChatPacer:
    """A token bucket per chat: `burst` messages at once, then `rate` a second."""

    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[int, _Bucket] = {}

    async def wait_turn(self, chat_id: int) -> None:
        bucket = self._bucket(chat_id)
        async with bucket.lock:
            self._refill(bucket)
            if bucket.tokens < 1:
                await self._sleep((1 - bucket.tokens) / self._rate)
                self._refill(bucket)
            bucket.tokens -= 1

    def finished(self, chat_id: int) -> None:
        """The message's answer is back. Refilling starts again from now: Telegram saw
        the message somewhere between its start and now, so the time in flight does
        not count towards the next one."""
        bucket = self._buckets.get(chat_id)
        if bucket is not None:
            bucket.updated = max(bucket.updated, self._clock())

    def _bucket(self, chat_id: int) -> _Bucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) > 10_000:
                self._forget_idle()
            bucket = _Bucket(float(self._burst), self._clock(), asyncio.Lock())
            self._buckets[chat_id] = bucket
        return bucket

    def _refill(self, bucket: _Bucket) -> None:
        now = self._clock()
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now

    def _forget_idle(self) -> None:
        # A bucket that has refilled completely carries no information.
        idle_after = self._burst / self._rate
        now = self._clock()
        for chat_id, bucket in list(self._buckets.items()):
            if now - bucket.updated > idle_after and not bucket.lock.locked():
                del self._buckets[chat_id]


class ChatPacedRateLimiter(AIORateLimiter):
    """AIORateLimiter, a per-chat pace, and `budget`: the process's window of Telegram's
    overall limit, shared with the alert sender (bot.delivery) so that together they
    keep under it. An answer waits for the budget only when alerts have filled it, and
    the sender leaves room first to the answers waiting."""

    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        max_retries: int = 3,
        budget: SendWindow | None = None,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=max_retries)
        self.pacer = ChatPacer(per_chat_rate, per_chat_burst)  # shared with the alert sender
        self.budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        send = super().process_request
        if not endpoint.startswith(_PACED_PREFIXES):
            return await send(callback, args, kwargs, endpoint, data, rate_limit_args)
        chat_id = data.get("chat_id")
        per_chat = isinstance(chat_id, int)
        if per_chat:
            await self.pacer.wait_turn(chat_id)
        batch = None
        if self.budget is not None:
            await self.budget.wait_for_room()
            batch = self.budget.open(1)
        refused = False
        try:
            return await send(callback, args, kwargs, endpoint, data, rate_limit_args)
        except RetryAfter:
            refused = True  # a 429 is not a message sent
            raise
        finally:
            if batch is not None and self.budget is not None:
                self.budget.answered(batch, counts=not refused)
            if per_chat:
                self.pacer.finished(chat_id)
