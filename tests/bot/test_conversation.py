"""Database-backed conversations: state written at each step, survives a restart,
/cancel, re-asking on unexpected input, and stale ones ended politely."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from enum import StrEnum
from types import SimpleNamespace

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation, ConversationRouter
from bot.local_api import LocalBotApiServer
from bot.store import conversations
from tests.bot.nightsafe import running_nightsafe


class Toy(StrEnum):
    NAME = "name"
    COLOUR = "colour"


async def _start(update: Update, context: NightSafeContext) -> str:
    await update.effective_message.reply_text("What is the venue called?")
    return Toy.NAME


async def _name(update: Update, context: NightSafeContext) -> str:
    name = update.effective_message.text.strip()
    if len(name) > 20:
        await update.effective_message.reply_text("Too long. What is the venue called?")
        return STAY
    context.conversation.data["name"] = name
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Red", callback_data="toy|red")]])
    await update.effective_message.reply_text("Which colour?", reply_markup=buttons)
    return Toy.COLOUR


async def _colour(update: Update, context: NightSafeContext) -> str:
    await update.callback_query.answer()
    name = context.conversation.data["name"]
    await update.effective_message.reply_text(f"Done: {name} is {update.callback_query.data[4:]}")
    return END


async def _cancel(update: Update, context: NightSafeContext) -> str:
    await update.effective_message.reply_text("Cancelled.")
    return END


async def _unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    await update.effective_message.reply_text(f"Please answer the question ({state}).")


async def _timed_out(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, "That took a while, so I stopped. /toy to start again.")


TOY = Conversation(
    name="toy",
    entry_points=[CommandHandler("toy", _start)],
    states={
        Toy.NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, _name)],
        Toy.COLOUR: [CallbackQueryHandler(_colour, pattern=r"^toy\|")],
    },
    fallbacks=[CommandHandler("cancel", _cancel)],
    on_unexpected=_unexpected,
    on_timeout=_timed_out,
    timeout=timedelta(minutes=10),
)


def _with_toy(application: object) -> ConversationRouter:
    router = ConversationRouter([TOY])
    application.add_handler(router.handler(), group=-2)  # type: ignore[attr-defined]
    return router


async def test_conversation_runs_step_by_step(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        _with_toy(bot.application)
        alex = bot.user()
        await alex.send_command("/toy")
        assert (await alex.next_reply()).text == "What is the venue called?"
        await alex.send_text("x" * 30)
        assert (await alex.next_reply()).text == "Too long. What is the venue called?"
        await alex.send_location(51.5, -0.1)
        assert (await alex.next_reply()).text == "Please answer the question (name)."
        await alex.send_text("The Crown")
        assert (await alex.next_reply()).text == "Which colour?"
        await alex.press("Red")
        assert (await alex.next_reply()).text == "Done: The Crown is red"
        # Over: text is an ordinary place query again.
        await alex.send_text("Soho")
        assert "Soho" in (await alex.next_reply()).text


async def test_conversation_survives_a_restart(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        _with_toy(bot.application)
        alex = bot.user()
        await alex.send_command("/toy")
        await alex.next_reply()
        await alex.send_text("The Crown")
        await alex.next_reply()
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        _with_toy(bot.application)
        alex = bot.user()
        await alex.press("Red")
        assert (await alex.next_reply()).text == "Done: The Crown is red"


async def test_conversation_cancel_and_other_commands(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        _with_toy(bot.application)
        alex = bot.user()
        await alex.send_command("/toy")
        await alex.next_reply()
        await alex.send_command("/nightstars")  # not part of the chat: answered as usual
        assert "Night Stars" in (await alex.next_reply()).text
        await alex.send_text("The Crown")
        assert (await alex.next_reply()).text == "Which colour?"
        await alex.send_command("/cancel")
        assert (await alex.next_reply()).text == "Cancelled."
        await alex.press("Red")  # the old button no longer belongs to a conversation
        await alex.send_text("Soho")
        assert "Soho" in (await alex.next_reply()).text


async def test_conversation_stale_ones_end_politely(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        router = _with_toy(bot.application)
        alex = bot.user()
        await alex.send_command("/toy")
        await alex.next_reply()
        # Updates are handled one after another: once this is answered, /toy is saved.
        await alex.send_command("/privacy")
        await alex.next_reply()
        bot.clock.now += timedelta(minutes=9)
        context = NightSafeContext(bot.application)
        assert await router.end_stale(context) == 0
        bot.clock.now += timedelta(minutes=2)
        assert await router.end_stale(context) == 1
        reply = await alex.next_reply()
        assert reply.text == "That took a while, so I stopped. /toy to start again."
        assert await router.end_stale(context) == 0
        await alex.send_text("Soho")
        assert "Soho" in (await alex.next_reply()).text


@asynccontextmanager
async def _no_session() -> AsyncIterator[None]:
    yield None


async def test_updates_arriving_together_wait_for_the_first_read_of_conversations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Other chats' updates are handled side by side: while the router first reads who
    has a conversation, they wait for that read (a conversation saved meanwhile would
    be missing from it) and are then answered from it, without a read of their own."""
    release, reads = asyncio.Event(), []

    async def chats(session: object) -> set[tuple[int, int]]:
        reads.append("who has a conversation")
        await release.wait()
        return set()

    async def get(session: object, chat_id: int, user_id: int) -> None:
        reads.append(f"conversation of {chat_id}")

    monkeypatch.setattr(conversations, "chats", chats)
    monkeypatch.setattr(conversations, "get", get)
    router = ConversationRouter([TOY], remember_absent=True)
    context = SimpleNamespace(services=SimpleNamespace(sessions=_no_session))
    first = asyncio.create_task(router._record(context, 1, 1))  # type: ignore[arg-type]
    second = asyncio.create_task(router._record(context, 2, 2))  # type: ignore[arg-type]
    for _ in range(5):
        await asyncio.sleep(0)
    assert reads == ["who has a conversation"]
    release.set()
    assert await asyncio.gather(first, second) == [None, None]
    assert reads == ["who has a conversation"]
