"""The bot's update queue: getUpdates long polling (offset, limit, timeout,
allowed_updates) and the source the webhook worker delivers from."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import POLLING_CONFLICT, WEBHOOK_CONFLICT, BotApiError

Update = dict[str, Any]

ALL_UPDATE_TYPES = frozenset(
    [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    ]
)
# Telegram leaves these out unless asked for by name.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
MAX_LIMIT = 100


class UpdateQueue:
    def __init__(
        self,
        first_update_id: int = 1,
        on_poll: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.pending: list[Update] = []
        self.closed = False
        self._on_poll = on_poll
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._next_id = first_update_id
        self._poll: asyncio.Future[str] | None = None
        self._arrival = asyncio.Event()
        self.dropped: list[Update] = []

    def push(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue an update; None when allowed_updates excludes its type (Telegram drops it)."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if kind not in self.allowed:
            self.dropped.append(update)
            return None
        self.pending.append(update)
        self._wake("update")
        self._arrival.set()
        self._arrival = asyncio.Event()
        return update

    def set_allowed(self, kinds: list[str] | None) -> None:
        """None keeps the previous setting; an empty list restores Telegram's default."""
        if kinds is None:
            return
        chosen = frozenset(kinds) & ALL_UPDATE_TYPES
        self.allowed = chosen or DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def take(self, limit: int | None) -> list[Update]:
        limit = MAX_LIMIT if not limit or limit > MAX_LIMIT else max(limit, 1)
        return list(self.pending[:limit])

    def drop_pending(self) -> None:
        self.pending.clear()

    async def long_poll(
        self,
        offset: int | None,
        limit: int | None,
        wait_seconds: float,
    ) -> list[Update]:
        """Answer at once when updates are pending, else as soon as one arrives or at timeout.
        A newer getUpdates ends an older pending one with 409, as Telegram does."""
        self._wake("superseded")
        self.confirm(offset)
        updates = self.take(limit)
        if updates or wait_seconds <= 0 or self.closed:
            return updates
        poll: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poll = poll
        if self._on_poll is not None:
            await self._on_poll()
        try:
            reason = await asyncio.wait_for(poll, wait_seconds)
        except TimeoutError:
            reason = "timeout"
        finally:
            if self._poll is poll:
                self._poll = None
        if reason == "superseded":
            raise BotApiError(409, POLLING_CONFLICT)
        if reason == "webhook":
            raise BotApiError(409, WEBHOOK_CONFLICT)
        return self.take(limit)

    async def wait_for_pending(self) -> None:
        """For the webhook worker: return once at least one update is pending."""
        while not self.pending:
            await self._arrival.wait()

    @property
    def is_polling(self) -> bool:
        """A getUpdates call is waiting for updates right now."""
        return self._poll is not None and not self._poll.done()

    def end_polling(self) -> None:
        """A webhook was set: a pending getUpdates ends with Telegram's 409."""
        self._wake("webhook")

    def close(self) -> None:
        self.closed = True
        self._wake("closed")

    def _wake(self, reason: str) -> None:
        if self._poll is not None and not self._poll.done():
            with contextlib.suppress(asyncio.InvalidStateError):
                self._poll.set_result(reason)
