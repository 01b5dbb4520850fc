"""Updates handled side by side across chats, one after another within a chat.

python-telegram-bot handles one update at a time unless given an update processor: then
a slow answer (a database write, a send that waits its turn) holds up everyone behind
it. Side by side, one person's steps must still not overtake each other: a location and
the "More" pressed under its answer, or a conversation's replies, keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

ChatKey = int | None


def chat_key(update: object) -> ChatKey:
    """Whose turn an update waits for: its chat, else its sender (None: all such wait
    for one another)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` at once, each chat's in the order they came."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[ChatKey, asyncio.Lock] = {}
        self._queued: dict[ChatKey, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        turn = self._turns.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with turn:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:  # nobody else of this chat waiting: forget it
                del self._queued[key], self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
