"""Guided chats whose state lives in the database, written at every step.

python-telegram-bot's ConversationHandler keeps the state in process memory
(its persistence flushes it every minute at best, and a second replica never
sees it). A conversation here has the same shape — entry points, states as
named constants, per-state handlers, /cancel fallbacks, a timeout — but every
step reads and writes a row keyed by (chat, user), so it survives a restart at
any step and carries on on whichever replica receives the next update.

A state's callback returns the next state, `STAY` to ask again, or `END`.
Draft answers live in `context.conversation.data` (JSON values only).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import NightSafeContext
from bot.store import conversations
from bot.store.conversations import ConversationRecord

logger = logging.getLogger(__name__)

END = "__end__"
_MAX_REMEMBERED = 100_000  # chats known to have no conversation (long polling only)
STAY = "__stay__"
CONVERSATION_GROUP = -1

StepCallback = Callable[[Update, NightSafeContext], Awaitable[Any]]
Handlers = Sequence[BaseHandler[Update, NightSafeContext, Any]]


@dataclass
class ActiveConversation:
    """The conversation an update belongs to, as handlers see it."""

    name: str
    state: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Conversation:
    name: str
    entry_points: Handlers
    states: dict[str, Handlers]
    fallbacks: Handlers
    # Called with the current state when an update fits nothing in it (re-ask).
    on_unexpected: Callable[[Update, NightSafeContext, str], Awaitable[None]]
    # Called (with the chat id) when a stale conversation is ended.
    on_timeout: Callable[[NightSafeContext, int], Awaitable[None]]
    timeout: timedelta = timedelta(minutes=30)


class ConversationRouter:
    """Routes updates to the database-backed conversations; one per application.

    With `remember_absent` (long polling: this process is the only one receiving
    updates, so only it starts conversations) the router reads once which chats
    have a conversation and after that skips reading the database for the others —
    most people never start one. Behind a webhook with several replicas another
    replica may start one at any moment, so every update reads the database.
    """

    def __init__(
        self, conversations_: Sequence[Conversation], *, remember_absent: bool = False
    ) -> None:
        self._by_name = {c.name: c for c in conversations_}
        self._absent: OrderedDict[tuple[int, int], None] | None = (
            OrderedDict() if remember_absent else None
        )
        # With remember_absent, once read: every chat with a conversation in progress
        # (a chat not in it has none). None: not read, or too many to hold.
        self._present: set[tuple[int, int]] | None = None
        self._present_read = False
        # Updates of other chats are handled meanwhile: they wait for the first read, or
        # a conversation one of them started during it would be missing from the set.
        self._present_reading = asyncio.Lock()

    def handler(self) -> TypeHandler[Update, NightSafeContext]:
        return TypeHandler(Update, self._route)

    def conversation(self, name: str) -> Conversation:
        return self._by_name[name]

    async def _route(self, update: Update, context: NightSafeContext) -> None:
        chat, user = update.effective_chat, update.effective_user
        # Conversations read new messages and button presses; edits (a live location
        # moving) and inline queries are never an answer to a question.
        if chat is None or user is None or update.edited_message is not None:
            return
        services = context.services
        now = services.now()
        record = await self._record(context, chat.id, user.id)
        if record is not None and record.name not in self._by_name:
            record = None  # another router's conversation
        if record is not None and now - record.updated_at > self._by_name[record.name].timeout:
            await self._expire(context, record)
            record = None
        if await self._try_entry(update, context, now):
            raise ApplicationHandlerStop
        if record is not None and await self._step(update, context, record, now):
            raise ApplicationHandlerStop
        if context.emergency_answered:
            # Outside a conversation the emergency guidance was the whole answer.
            raise ApplicationHandlerStop

    async def _record(
        self, context: NightSafeContext, chat_id: int, user_id: int
    ) -> ConversationRecord | None:
        key = (chat_id, user_id)
        if self._absent is not None and not self._present_read:
            async with self._present_reading:
                if not self._present_read:
                    await self._read_present(context)
        if self._present is not None and key not in self._present:
            return None
        if self._absent is not None and key in self._absent:
            self._absent.move_to_end(key)
            return None
        async with context.services.sessions() as session:
            record = await conversations.get(session, chat_id, user_id)
        if record is None:
            self._remember_absent(key)
        return record

    async def _read_present(self, context: NightSafeContext) -> None:
        try:
            async with context.services.sessions() as session:
                present = await conversations.chats(session)
            self._present = present if len(present) <= _MAX_REMEMBERED else None
        finally:  # once, even if it failed: then every update reads the database
            self._present_read = True

    def _remember_absent(self, key: tuple[int, int]) -> None:
        if self._present is not None:
            self._present.discard(key)  # ended elsewhere (/forget, timed out)
        if self._absent is None:
            return
        self._absent[key] = None
        self._absent.move_to_end(key)
        if len(self._absent) > _MAX_REMEMBERED:
            self._absent.popitem(last=False)

    async def _try_entry(self, update: Update, context: NightSafeContext, now: datetime) -> bool:
        for conversation in self._by_name.values():
            for handler in conversation.entry_points:
                check = handler.check_update(update)
                if check is None or check is False:
                    continue
                context.conversation = ActiveConversation(conversation.name, "", {})
                next_state = await handler.handle_update(
                    update, context.application, check, context
                )
                await self._save(update, context, conversation, next_state, now)
                return True
        return False

    async def _step(
        self, update: Update, context: NightSafeContext, record: ConversationRecord, now: datetime
    ) -> bool:
        conversation = self._by_name[record.name]
        context.conversation = ActiveConversation(record.name, record.state, dict(record.data))
        for handler in [*conversation.fallbacks, *conversation.states.get(record.state, ())]:
            check = handler.check_update(update)
            if check is None or check is False:
                continue
            next_state = await handler.handle_update(update, context.application, check, context)
            await self._save(update, context, conversation, next_state, now)
            return True
        message = update.effective_message
        if update.callback_query is not None:
            return False  # another feature's button ("More" under an answer…): let it through
        if message is not None and message.text and message.text.startswith("/"):
            return False  # another command (/help, /emergency…): let it through
        await conversation.on_unexpected(update, context, record.state)
        return True

    async def _save(
        self,
        update: Update,
        context: NightSafeContext,
        conversation: Conversation,
        next_state: object,
        now: datetime,
    ) -> None:
        chat_id, user_id = update.effective_chat.id, update.effective_user.id
        active = context.conversation
        assert active is not None
        services = context.services
        if self._absent is not None:
            self._absent.pop((chat_id, user_id), None)
        ends = next_state == END or (next_state is None and not active.state)
        if self._present is not None:
            if ends:
                self._present.discard((chat_id, user_id))
            else:
                self._present.add((chat_id, user_id))
        async with services.sessions() as session, session.begin():
            if ends:
                await conversations.delete_for(session, chat_id, user_id)
                return
            state = active.state if next_state in (STAY, None) else str(next_state)
            await conversations.save(
                session,
                ConversationRecord(
                    chat_id=chat_id,
                    user_id=user_id,
                    name=conversation.name,
                    state=state,
                    data=active.data,
                    updated_at=now,
                ),
            )

    async def _expire(self, context: NightSafeContext, record: ConversationRecord) -> None:
        async with context.services.sessions() as session, session.begin():
            claimed = await conversations.delete_for(session, record.chat_id, record.user_id)
        if claimed:
            await self._by_name[record.name].on_timeout(context, record.chat_id)

    async def end_stale(self, context: NightSafeContext) -> int:
        """End every conversation idle past its timeout, telling each person once.

        Rows are claimed by deleting them, so two replicas never both send."""
        now = context.services.now()
        ended = 0
        for conversation in self._by_name.values():
            async with context.services.sessions() as session, session.begin():
                stale = await conversations.claim_stale(
                    session, conversation.name, now - conversation.timeout
                )
            for record in stale:
                try:
                    await conversation.on_timeout(context, record.chat_id)
                except Exception:
                    logger.warning("could not tell a chat its %s timed out", conversation.name)
                ended += 1
        return ended


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    router: ConversationRouter,
    *,
    sweep_every: timedelta,
) -> None:
    application.add_handler(router.handler(), group=CONVERSATION_GROUP)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _sweeper(router), interval=sweep_every, first=sweep_every, name="end-stale"
        )


def _sweeper(router: ConversationRouter) -> Callable[[NightSafeContext], Awaitable[None]]:
    async def sweep(context: NightSafeContext) -> None:
        await router.end_stale(context)

    return sweep
