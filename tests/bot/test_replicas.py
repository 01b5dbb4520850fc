"""Several replicas behind one webhook URL, on one database: each update goes to the
next replica in turn (a load balancer in front), and a person cannot tell.

Two Applications in webhook mode, each with its own port, engine, venue index and
memory — nothing shared but the database, as with two machines. They run on the
suite's database: SQLite in the first CI pass, PostgreSQL (NIGHTSAFE_TEST_DATABASE_URL)
in the second, where an unreachable server fails these tests rather than skipping them.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import delivery
from bot.context import NightSafeContext
from bot.conversation import END, Conversation, ConversationRouter
from bot.db import SessionFactory
from bot.local_api import LocalBotApiServer
from bot.models import OutboxRow
from bot.runner import RunningBot
from bot.settings import PROJECT_ROOT
from bot.store import outbox, subscriptions
from bot.store.alerts import Audience, Priority
from tests.bot.nightsafe import seed_venues
from tests.bot.running import LoadBalancer, replica_webhook, running_replica


@asynccontextmanager
async def two_replicas(
    server: LocalBotApiServer, database_url: str, **overrides: Any
) -> AsyncIterator[tuple[LoadBalancer, list[RunningBot]]]:
    async with AsyncExitStack() as stack:
        balancer = await stack.enter_async_context(LoadBalancer())
        replicas = [
            await stack.enter_async_context(
                running_replica(
                    server, database_url, replica=name, public_url=balancer.url, **overrides
                )
            )
            for name in ("a", "b")
        ]
        balancer.replicas = [replica_webhook(bot) for bot in replicas]
        yield balancer, replicas


# --- a conversation handed from one replica to the other ------------------------------


class Step(StrEnum):
    NAME = "name"
    COLOUR = "colour"


async def _ask_name(update: Update, context: NightSafeContext) -> str:
    await update.effective_message.reply_text("What is the venue called?")
    return Step.NAME


async def _take_name(update: Update, context: NightSafeContext) -> str:
    assert context.conversation is not None
    context.conversation.data["name"] = update.effective_message.text.strip()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Red", callback_data="toy|red")]])
    await update.effective_message.reply_text("Which colour?", reply_markup=keyboard)
    return Step.COLOUR


async def _take_colour(update: Update, context: NightSafeContext) -> str:
    assert context.conversation is not None
    assert update.callback_query is not None
    await update.callback_query.answer()
    name = context.conversation.data["name"]
    await update.effective_message.reply_text(f"Done: {name} is red")
    return END


async def _unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    await update.effective_message.reply_text(f"Please answer the question ({state}).")


async def _timed_out(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, "Stopped.")


TOY = Conversation(
    name="toy",
    entry_points=[CommandHandler("toy", _ask_name)],
    states={
        Step.NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, _take_name)],
        Step.COLOUR: [CallbackQueryHandler(_take_colour, pattern=r"^toy\|")],
    },
    fallbacks=[],
    on_unexpected=_unexpected,
    on_timeout=_timed_out,
    timeout=timedelta(minutes=10),
)


async def test_replicas_carry_a_conversation_on_whichever_gets_the_next_update(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with two_replicas(local_bot_api, database_url) as (balancer, replicas):
        for bot in replicas:
            bot.application.add_handler(ConversationRouter([TOY]).handler(), group=-2)
        alex = local_bot_api.user(1001, "Alex")
        await alex.send_command("/toy")
        assert (await alex.next_reply()).text == "What is the venue called?"
        await alex.send_text("The Crown")
        assert (await alex.next_reply()).text == "Which colour?"
        await alex.press("Red")
        assert (await alex.next_reply()).text == "Done: The Crown is red"
    # Each step went to the other replica than the step before.
    assert balancer.routed == [0, 1, 0]


# --- a venue change made elsewhere, seen by every replica -----------------------------

NEW_HAVEN = (
    "name,kind,address,postcode,latitude,longitude,opening_hours,phone,schemes\n"
    'Replica Test Haven,safe_haven,"1 Leicester Square, London",WC2H 7NA,'
    "51.5103,-0.1300,24/7,020 7946 0999,Safe Haven\n"
)


async def _import_in_another_process(database_url: str, csv_file: Path) -> None:
    """`python bot.py import-venues FILE`: what staff run on another machine."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT_ROOT / "bot.py"),
        "import-venues",
        str(csv_file),
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        cwd=csv_file.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, (out + err).decode()


async def test_replicas_see_a_venue_change_made_by_another_process(
    local_bot_api: LocalBotApiServer, database_url: str, tmp_path: Path
) -> None:
    await seed_venues(database_url)
    async with two_replicas(local_bot_api, database_url) as (balancer, _):
        alex = local_bot_api.user(1001, "Alex")
        for _ in range(2):  # both replicas have built their venue index
            await alex.send_location(51.5104, -0.1296)
            _, answer = await alex.next_replies(2)
            assert "Replica Test Haven" not in answer.text
        csv_file = tmp_path / "new-haven.csv"
        csv_file.write_text(NEW_HAVEN, encoding="utf-8")
        await _import_in_another_process(database_url, csv_file)
        for _ in range(2):
            await alex.send_location(51.5104, -0.1296)
            _, answer = await alex.next_replies(2)
            assert "Replica Test Haven" in answer.text
    assert balancer.routed == [0, 1, 0, 1]


# --- one broadcast, two replicas: one sender at a time, the global rate held -------------

STAFF = 9001
RATE = 10  # messages a second across all chats, for the bot and the server alike


async def _queue_alert(bot: RunningBot, subscribers: list[int]) -> None:
    """Subscribers, and an alert to all of them queued as /broadcast queues it."""
    services = bot.services
    now = services.now()
    async with services.sessions() as session, session.begin():
        for chat_id in subscribers:
            await subscriptions.subscribe(session, chat_id, ["soho"], "en")
    draft = outbox.draft_alert(
        text="Reports of drink spiking around Dean Street",
        audience=Audience.PUBLIC,
        zones=[],
        priority=Priority.NORMAL,
        created_by=STAFF,
        now=now,
        expires_at=now + timedelta(hours=6),
    )
    async with services.sessions() as session, session.begin():
        recipients = await outbox.plan(
            session, draft, services.partnership.zones, now, services.zone
        )
        await outbox.create_broadcast(
            session,
            draft,
            recipients,
            staff_chat_id=STAFF,
            staff_language="en",
            progress_message_id=None,
            paid=False,
            mirror_to_channel=False,
            now=now,
        )


async def test_replicas_broadcast_reaches_everyone_once_at_the_global_rate(
    database_url: str, sessions: SessionFactory
) -> None:
    fast = {
        "NIGHTSAFE_SEND_RATE": RATE,
        "NIGHTSAFE_ALERT_POLL_SECONDS": 0.1,
        "NIGHTSAFE_ALERT_PROGRESS_SECONDS": 1,
    }
    async with LocalBotApiServer(sends_per_second=RATE, enforce_per_chat_limit=True) as server:
        staff = server.user(STAFF, "Sam")
        people = [server.user(2000 + i, f"P{i}") for i in range(RATE + RATE // 2)]
        async with two_replicas(server, database_url, **fast) as (_, replicas):
            await _queue_alert(replicas[0], [p.id for p in people])
            for bot in replicas:
                delivery.wake(bot.application)
            await staff.next_reply(timeout=10)  # the report when the broadcast is done
            workers = [delivery.worker_for(bot.application) for bot in replicas]
        assert not server.internal_errors
    sends = [c for c in server.calls_to("sendMessage") if c.chat_id != STAFF]
    assert sorted(c.chat_id for c in sends if c.ok) == [p.id for p in people]
    assert all(c.ok for c in sends)
    async with sessions() as session:
        senders = set(await session.scalars(select(OutboxRow.claimed_by)))
    assert len(senders) == 1
    assert senders < {w.owner for w in workers if w is not None}
    assert server.flood.rejected == 0
    times = sorted(c.at for c in sends)
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= RATE
