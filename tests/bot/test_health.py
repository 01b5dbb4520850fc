"""/healthz and /metrics of the running bot: what an orchestrator and Prometheus see."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.db import SessionFactory, create_engine
from bot.local_api import LocalBotApiServer
from bot.migrations import upgrade
from tests.bot.nightsafe import seed_venues
from tests.bot.running import get_health, running_polling
from tests.conftest import postgres_test_url
from venues.orm import VenueRow


def _sample(metrics: str, name: str) -> float:
    """The value of one sample line (`name` with its labels, as Prometheus writes it)."""
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, flags=re.M)
    assert match, f"{name} not in /metrics:\n{metrics}"
    return float(match.group(1))


async def test_healthz_is_ok_and_metrics_count_updates_without_personal_data(
    local_bot_api: LocalBotApiServer, database_url: str, sessions: SessionFactory
) -> None:
    await seed_venues(database_url)
    async with running_polling(local_bot_api, database_url) as bot:
        status, body = await get_health(bot)
        assert (status, body["status"]) == (200, "ok")
        assert body["checks"] | {"database": "ok", "venue_index": "ok"} == body["checks"]
        alex = local_bot_api.user(4242, "Alexandra")
        await alex.send_command("/start")
        await alex.next_reply()
        await alex.send_location(51.5104, -0.1296)
        await alex.next_replies(2)
        await alex.press("➕ More")
        # Once the press is answered, both messages before it are fully handled.
        await local_bot_api.wait_for(lambda _: local_bot_api.calls_to("editMessageText"))
        status, metrics = await get_health(bot, "/metrics")

    assert status == 200
    assert _sample(metrics, 'nightsafe_updates_handled_total{type="message"}') == 2
    assert _sample(metrics, "nightsafe_reply_latency_seconds_count") >= 2
    assert _sample(metrics, 'nightsafe_reply_latency_seconds_bucket{le="+Inf"}') >= 2
    async with sessions() as session:
        active = await session.scalar(
            select(func.count()).select_from(VenueRow).where(VenueRow.status == "active")
        )
    assert _sample(metrics, 'nightsafe_venues{status="active"}') == active
    assert _sample(metrics, "nightsafe_inbox_unhandled") == 0
    assert "# TYPE nightsafe_deliveries_total counter" in metrics
    for personal in ("4242", "Alexandra", "51.51", "-0.129"):
        assert personal not in metrics


async def test_healthz_fails_with_a_check_a_background_worker_registered(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_polling(local_bot_api, database_url) as bot:
        bot.services.health.register("delivery_worker", lambda: False)
        status, body = await get_health(bot)
        assert status == 503
        assert body["status"] == "unhealthy"
        assert body["checks"]["delivery_worker"] == "failing"

        async def alive() -> bool:
            return True

        bot.services.health.register("delivery_worker", alive)
        status, body = await get_health(bot)
        assert (status, body["checks"]["delivery_worker"]) == (200, "ok")


@asynccontextmanager
async def _database_away(database_url: str) -> AsyncIterator[None]:
    """The database becomes unreachable, then comes back as it was: a SQLite file moved
    away and back; a PostgreSQL database closed to connections (its own cut), reopened."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        aside = path.with_name(path.name + ".away")
        await asyncio.to_thread(path.rename, aside)
        try:
            yield
        finally:
            await asyncio.to_thread(aside.rename, path)
        return
    server_url = postgres_test_url()
    assert server_url is not None
    admin = create_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    name = url.database
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        try:
            yield
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        await admin.dispose()


async def test_healthz_turns_unhealthy_when_the_database_goes_away_and_back_when_it_returns(
    local_bot_api: LocalBotApiServer, scratch_database_url: str
) -> None:
    engine = create_engine(scratch_database_url)
    await upgrade(engine)
    await engine.dispose()
    async with running_polling(local_bot_api, scratch_database_url) as bot:
        assert (await get_health(bot))[0] == 200
        async with _database_away(scratch_database_url):
            status, body = await get_health(bot)
            assert (status, body["status"]) == (503, "unhealthy")
            assert (body["checks"]["database"], body["checks"]["venue_index"]) == ("failing", "ok")
        status, body = await get_health(bot)
        assert (status, body["status"]) == (200, "ok")
        # And the bot itself carries on with its database.
        alex = local_bot_api.user(1001, "Alex")
        await alex.send_command("/start")
        assert "Safe Haven" in (await alex.next_reply()).text
