"""Incoming flood control: a person sending many messages a second is slowed politely.

Runs before every other handler. The counts are transient by nature (seconds
long), so they live in memory.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import NightSafeContext
from bot.texts import t

FLOOD_GROUP = -10


class FloodGate:
    """At most `limit` updates per user within `window_s`; the rest are dropped,
    and the person is told once per window."""

    def __init__(
        self, limit: int = 5, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._warned_at: dict[int, float] = {}

    def admit(self, user_id: int) -> bool:
        now = self._clock()
        recent = self._recent.setdefault(user_id, deque())
        while recent and now - recent[0] > self._window_s:
            recent.popleft()
        if len(recent) >= self._limit:
            return False
        recent.append(now)
        if len(self._recent) > 50_000:
            self._forget_idle(now)
        return True

    def should_warn(self, user_id: int) -> bool:
        now = self._clock()
        if now - self._warned_at.get(user_id, float("-inf")) < self._window_s:
            return False
        self._warned_at[user_id] = now
        return True

    def _forget_idle(self, now: float) -> None:
        for user_id, recent in list(self._recent.items()):
            if not recent or now - recent[-1] > self._window_s:
                del self._recent[user_id]
                self._warned_at.pop(user_id, None)


def handlers(gate: FloodGate) -> list[BaseHandler[Update, NightSafeContext, None]]:
    async def check(update: Update, context: NightSafeContext) -> None:
        user = update.effective_user
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
