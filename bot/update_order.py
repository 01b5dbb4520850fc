"""Updates handled side by side across chats, one after another within a chat.

python-telegram-bot handles one update at a time unless given an update processor: then
a slow answer (a database write, a send that waits its turn) holds up everyone behind
it. Side by side, one person's steps must still not overtake each other: a location and
the "More" pressed under its answer, or a conversation's replies, keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

ChatKey = int | None


@dataclass(eq=False)
class _Turn:
    """One chat's turn: its updates take the lock one after another."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: int = 0  # updates of the chat holding or waiting for the lock


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
        self._turns: dict[ChatKey, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.queued += 1
        try:
            async with turn.lock:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            turn.queued -= 1
            if not turn.queued:  # nobody else of this chat waiting: forget it
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
