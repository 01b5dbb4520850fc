"""Webhook mode: the secret header, the durable inbox (re-deliveries dropped, nothing lost
in a crash between receipt and handling), and locations never written down."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.app import build_application
from bot.context import NightSafeContext
from bot.db import SessionFactory, create_engine, create_session_factory
from bot.inbox import Receipt, UpdateInbox, carries_location
from bot.local_api import LocalBotApiServer
from bot.models import InboxUpdateRow
from bot.store import inbox
from bot.store.inbox import Claim, Recorded
from tests.bot.nightsafe import make_settings, seed_venues
from tests.bot.running import (
    WEBHOOK_SECRET,
    command_update,
    get_health,
    location_update,
    post_update,
    replica_webhook,
    running_replica,
)


async def _inbox_rows(sessions: SessionFactory) -> dict[int, InboxUpdateRow]:
    async with sessions() as session:
        rows = await session.scalars(select(InboxUpdateRow))
        return {row.update_id: row for row in rows}


async def test_webhook_answers_users_through_telegram(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    await seed_venues(database_url)
    async with running_replica(local_bot_api, database_url) as bot:
        hook = local_bot_api.state.webhook
        assert hook is not None
        assert (hook.url, hook.secret_token) == (replica_webhook(bot), WEBHOOK_SECRET)
        alex = local_bot_api.user(1001, "Alex")
        await alex.send_command("/start")
        assert "Safe Haven" in (await alex.next_reply()).text
        await alex.send_location(51.5104, -0.1296)
        _, answer = await alex.next_replies(2)
        assert "Demo Hotel — Cranbourn Street" in answer.text


async def test_webhook_refuses_requests_without_the_right_secret(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    async with running_replica(local_bot_api, database_url) as bot:
        alex = local_bot_api.user(1001, "Alex")
        url = replica_webhook(bot)
        assert await post_update(url, command_update(900_001, alex.id, "/start"), None) == 403
        forged = command_update(900_002, alex.id, "/start")
        assert await post_update(url, forged, WEBHOOK_SECRET[:-1]) == 403
        assert await post_update(url, forged, WEBHOOK_SECRET + "x") == 403
        assert await _inbox_rows(sessions) == {}

        assert await post_update(url, command_update(900_003, alex.id, "/start")) == 200
        assert "Safe Haven" in (await alex.next_reply()).text
        assert len(alex.replies) == 1
        assert set(await _inbox_rows(sessions)) == {900_003}


async def test_webhook_drops_a_redelivered_update(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    async with running_replica(local_bot_api, database_url) as bot:
        alex = local_bot_api.user(1001, "Alex")
        update = command_update(900_010, alex.id, "/help")
        assert await post_update(replica_webhook(bot), update) == 200
        assert await post_update(replica_webhook(bot), update) == 200
        first = await alex.next_reply()
        # Updates are handled in order: once /start is answered, a second /help would be too.
        await alex.send_command("/start")
        await alex.next_reply()
        assert [m.text for m in alex.replies].count(first.text) == 1
        assert len(alex.replies) == 2


async def test_webhook_update_recorded_before_a_crash_is_handled_once_after_restart(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    alex = local_bot_api.user(1001, "Alex")
    update = command_update(900_020, alex.id, "/start")
    # Replica "a" records the update (Telegram gets its 200) and dies before handling it.
    settings = make_settings(local_bot_api, database_url, NIGHTSAFE_REPLICA_ID="a")
    engine = create_engine(database_url)
    crashed = UpdateInbox(build_application(settings), create_session_factory(engine), settings)
    assert await crashed.receive(update) is Receipt.ACCEPTED
    await engine.dispose()
    assert alex.replies == []
    assert (await _inbox_rows(sessions))[900_020].handled_at is None

    async with running_replica(local_bot_api, database_url, replica="a") as bot:
        assert "Safe Haven" in (await alex.next_reply()).text
        # Telegram never got an answer from the dead replica, say, and delivers it again.
        assert await post_update(replica_webhook(bot), update) == 200
        await alex.send_command("/help")
        await alex.next_reply()
    assert len(alex.replies) == 2
    handled = (await _inbox_rows(sessions))[900_020]
    assert handled.handled_at is not None
    assert handled.payload is None  # what the person sent is erased once handled


async def test_webhook_never_writes_a_shared_location_down(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    await seed_venues(database_url)
    async with running_replica(local_bot_api, database_url) as bot:
        alex = local_bot_api.user(1001, "Alex")
        update = location_update(900_030, alex.id, 51.5104, -0.1296)
        assert await post_update(replica_webhook(bot), update) == 200
        # Answered before Telegram got its 200: until then Telegram itself keeps the update.
        assert "Demo Hotel — Cranbourn Street" in alex.replies[-1].text
        await alex.next_replies(2)
        await alex.send_location(51.5115, -0.1289)  # through Telegram this time
        await alex.next_replies(2)
    rows = await _inbox_rows(sessions)
    assert len(rows) == 2
    assert all(row.kind == "message" for row in rows.values())
    assert all(row.handled_at is not None and row.payload is None for row in rows.values())


async def test_webhook_handles_a_location_whose_replica_died_when_telegram_retries(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    await seed_venues(database_url)
    alex = local_bot_api.user(1001, "Alex")
    # Replica "z" took a location update (id only, never the location) and died.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    async with sessions() as session, session.begin():
        claim = Claim("z", long_ago, long_ago + timedelta(minutes=1))
        assert await inbox.record(session, 900_040, "message", None, claim) is Recorded.NEW
    async with running_replica(local_bot_api, database_url) as bot:
        update = location_update(900_040, alex.id, 51.5104, -0.1296)
        assert await post_update(replica_webhook(bot), update) == 200
        assert "Demo Hotel — Cranbourn Street" in alex.replies[-1].text
        assert await post_update(replica_webhook(bot), update) == 200  # and once only
    assert len(alex.replies) == 2  # the venue pin and the answer, once
    assert (await _inbox_rows(sessions))[900_040].handled_at is not None


def test_inbox_finds_a_location_anywhere_in_an_update() -> None:
    located = location_update(1, 1001, 51.5, -0.1)
    assert carries_location(located)
    live = {"update_id": 2, "edited_message": located["message"]}
    assert carries_location(live)
    reply = command_update(3, 1001, "that one")
    reply["message"]["reply_to_message"] = located["message"]
    assert carries_location(reply)
    inline = {
        "update_id": 4,
        "inline_query": {
            "id": "1",
            "query": "",
            "offset": "",
            "from": {"id": 1001},
            "location": {"latitude": 51.5, "longitude": -0.1},
        },
    }
    assert carries_location(inline)
    assert not carries_location(command_update(5, 1001, "Leicester Square"))


async def test_webhook_stop_finishes_the_update_in_flight_and_takes_no_more(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: NightSafeContext) -> None:
        started.set()
        await release.wait()
        await update.effective_message.reply_text("Finished.")
        raise ApplicationHandlerStop

    alex = local_bot_api.user(1001, "Alex")
    stack = AsyncExitStack()
    async with stack:
        bot = await stack.enter_async_context(running_replica(local_bot_api, database_url))
        bot.application.add_handler(CommandHandler("slow", slow), group=-100)
        await alex.send_command("/slow")
        await asyncio.wait_for(started.wait(), timeout=5)
        stopping = asyncio.create_task(stack.aclose())  # as on SIGTERM
        status, body = await get_health(bot)
        assert (status, body["status"]) == (503, "stopping")
        release.set()
        await stopping
    assert [m.text for m in alex.replies] == ["Finished."]
    assert all(row.handled_at is not None for row in (await _inbox_rows(sessions)).values())
    # Stopped: what Telegram sends now stays with Telegram until a replica is back.
    await alex.send_command("/start")
    assert len(local_bot_api.state.queue.pending) == 1
    with pytest.raises(aiohttp.ClientConnectionError):
        await post_update(replica_webhook(bot), command_update(900_050, alex.id, "/start"))


async def test_inbox_claims_leases_and_pruning(sessions: SessionFactory) -> None:
    now = datetime.now(UTC)
    lease = timedelta(minutes=1)
    mine, theirs = Claim("a", now, now + lease), Claim("b", now, now + lease)
    payload = command_update(1, 1001, "/start")
    async with sessions() as session, session.begin():
        for update_id, claim in ((1, mine), (2, theirs)):
            assert await inbox.record(session, update_id, "message", payload, claim) is Recorded.NEW
        assert await inbox.record(session, 1, "message", payload, theirs) is Recorded.DUPLICATE
        # A live claim of another replica is left alone; our own is ours again after a restart.
        taken = await inbox.take_unhandled(session, mine, own=True)
        assert [entry.update_id for entry in taken] == [1]
        assert not await inbox.take(session, 2, mine)
    later = now + 2 * lease
    async with sessions() as session, session.begin():
        # Replica b is gone: once its lease ran out, its update is anyone's.
        taken = await inbox.take_unhandled(session, Claim("a", later, later + lease), own=False)
        assert [entry.update_id for entry in taken] == [1, 2]
        await inbox.mark_handled(session, 1, later)
        assert await inbox.unhandled_count(session) == 1
        assert await inbox.prune(session, later) == 0  # handled just now: kept
        assert await inbox.prune(session, later + timedelta(seconds=1)) == 1
        assert await inbox.record(session, 2, "message", payload, mine) is Recorded.DUPLICATE
