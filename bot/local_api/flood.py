"""Telegram's flood limits: about 30 messages a second across all chats (answered with
429 and retry_after) and about one a second per chat (counted; enforced only when asked).

Across chats: a sliding one-second window. Per chat: a token bucket refilled at
`per_chat_per_second`, holding at most `per_chat_burst` sends (1 = strictly one a
second; Telegram tolerates short bursts, so a bot may be allowed a few)."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import too_many_requests

WINDOW_SECONDS = 1.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class FloodControl:
    def __init__(
        self,
        sends_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        *,
        per_chat_burst: int = 1,
        enforce_per_chat: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sends_per_second = sends_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.enforce_per_chat = enforce_per_chat
        self.clock = clock
        self.rejected = 0
        self.per_chat_violations: dict[Any, int] = defaultdict(int)
        self._sends: deque[float] = deque()
        self._buckets: dict[Any, _Bucket] = {}

    @property
    def violations(self) -> int:
        """Sends to a chat beyond its per-chat allowance (Telegram's ~1 a second)."""
        return sum(self.per_chat_violations.values())

    def check(self, chat_id: Any, *, counts_globally: bool) -> None:
        """Raise Telegram's 429 when this send would exceed an enforced limit."""
        now = self.clock()
        if counts_globally:
            window = self._recent(now)
            if len(window) >= self.sends_per_second:
                self.rejected += 1
                raise too_many_requests(max(1, math.ceil(window[0] + WINDOW_SECONDS - now)))
        bucket = self._bucket(chat_id, now)
        if self.enforce_per_chat and bucket.tokens < 1:
            self.rejected += 1
            wait = (1 - bucket.tokens) / self.per_chat_per_second
            raise too_many_requests(max(1, math.ceil(wait)))

    def record(self, chat_id: Any, *, counts_globally: bool) -> None:
        now = self.clock()
        bucket = self._bucket(chat_id, now)
        if bucket.tokens < 1:
            self.per_chat_violations[chat_id] += 1
        bucket.tokens = max(bucket.tokens - 1, 0.0)
        if counts_globally:
            self._recent(now).append(now)

    def _recent(self, now: float) -> deque[float]:
        while self._sends and self._sends[0] <= now - WINDOW_SECONDS:
            self._sends.popleft()
        return self._sends

    def _bucket(self, chat_id: Any, now: float) -> _Bucket:
        bucket = self._buckets.setdefault(chat_id, _Bucket(self.per_chat_burst, now))
        refill = (now - bucket.updated) * self.per_chat_per_second
        bucket.tokens = min(self.per_chat_burst, bucket.tokens + refill)
        bucket.updated = now
        return bucket
