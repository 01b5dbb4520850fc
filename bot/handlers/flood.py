"""Incoming flood control: a person sending many messages a second is slowed politely.

Runs before every other handler. The counts are transient by nature (seconds
long), so they live in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import NightSafeContext
from bot.texts import t

FLOOD_GROUP = -10


class FloodGate:
    """A token bucket per person: `burst` updates at once, then `rate` a second.

    Updates beyond it are dropped, and the person is told once until they slow down."""

    def __init__(
        self, rate: float = 2.0, burst: int = 8, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # user → (tokens, when)
        self._warned: set[int] = set()

    def admit(self, user_id: int) -> bool:
        now = self._clock()
        tokens, when = self._buckets.get(user_id, (float(self._burst), now))
        tokens = min(self._burst, tokens + (now - when) * self._rate)
        if len(self._buckets) > 50_000:
            self._forget_idle(now)
        if tokens < 1:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1, now)
        self._warned.discard(user_id)
        return True

    def should_warn(self, user_id: int) -> bool:
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True

    def _forget_idle(self, now: float) -> None:
        # A bucket that has refilled completely carries no information.
        full_after = self._burst / self._rate
        for user_id, (_, when) in list(self._buckets.items()):
            if now - when > full_after:
                del self._buckets[user_id]
                self._warned.discard(user_id)


def handlers(gate: FloodGate) -> list[BaseHandler[Update, NightSafeContext, None]]:
    async def check(update: Update, context: NightSafeContext) -> None:
        user = update.effective_user
        # Live-location moves and inline queries come at the client's own pace (it
        # debounces them); only what the person sends on purpose is counted.
        if update.edited_message is not None or update.inline_query is not None:
            return
        if user is None or gate.admit(user.id):
            return
        if update.callback_query is not None:
            await update.callback_query.answer(t("flood.slow_down", context.language))
        elif update.effective_chat is not None and gate.should_warn(user.id):
            await context.bot.send_message(
                update.effective_chat.id, t("flood.slow_down", context.language)
            )
        raise ApplicationHandlerStop

    return [TypeHandler(Update, check)]
