"""/healthz and /metrics on their own port (NIGHTSAFE_HEALTH_PORT), in both polling and
webhook mode, so an orchestrator can restart a replica that lost its database.

/healthz answers 200 {"status": "ok", "checks": {...}} or 503 with the failing checks:
the database reachable on a fresh connection, the venue index loaded, and whatever a
background part registered (the delivery worker: `services.health.register(...)`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from telegram.ext import Application

from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.services import Services
    from bot.settings import Settings

logger = logging.getLogger(__name__)

# A check answers True (healthy) or False; it may be a plain function or a coroutine.
HealthCheck = Callable[[], Awaitable[bool] | bool]
CHECK_TIMEOUT_S = 2.0
OK, FAILING, TIMEOUT = "ok", "failing", "timeout"


class HealthChecks:
    """Named checks beyond the built-in ones; a background part registers its own:
    `services.health.register("delivery_worker", worker.is_alive)`."""

    def __init__(self) -> None:
        self._checks: dict[str, HealthCheck] = {}

    def register(self, name: str, check: HealthCheck) -> None:
        self._checks[name] = check

    def unregister(self, name: str) -> None:
        self._checks.pop(name, None)

    async def run(self, timeout: float = CHECK_TIMEOUT_S) -> dict[str, str]:  # noqa: ASYNC109
        return {name: await _outcome(check, timeout) for name, check in self._checks.items()}


async def _outcome(check: HealthCheck, timeout: float) -> str:  # noqa: ASYNC109
    try:
        async with asyncio.timeout(timeout):
            result = check()
            if inspect.isawaitable(result):
                result = await result
    except TimeoutError:
        return TIMEOUT
    except Exception as error:  # a check that breaks is a failing check
        logger.warning("health check failed: %s", type(error).__name__)
        return FAILING
    return OK if result else FAILING


def probe_url(database_url: str) -> URL:
    """The database URL for health probes. A SQLite file is opened read-write without
    creating it: a vanished file is an unreachable database, not a new empty one."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return url
    if database.startswith("file:"):
        return url
    return url.set(
        database=f"file:{Path(database)}", query={**url.query, "mode": "rw", "uri": "true"}
    )


class DatabaseProbe:
    """A fresh connection per probe: a pooled one can outlive its database (an open
    SQLite file handle, a PostgreSQL connection not yet noticed dead)."""

    def __init__(self, database_url: str) -> None:
        self._engine = create_async_engine(probe_url(database_url), poolclass=NullPool)

    async def reachable(self) -> bool:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def close(self) -> None:
        await self._engine.dispose()


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]
    stopping: bool = False

    @property
    def healthy(self) -> bool:
        return not self.stopping and all(v == OK for v in self.checks.values())

    def body(self) -> dict[str, Any]:
        status = "stopping" if self.stopping else "ok" if self.healthy else "unhealthy"
        return {"status": status, "checks": self.checks}


async def health_report(
    services: Services | None, probe: DatabaseProbe, *, stopping: bool = False
) -> HealthReport:
    checks = {"database": await _outcome(probe.reachable, CHECK_TIMEOUT_S)}
    if services is None:
        checks["services"] = FAILING
        return HealthReport(checks, stopping)
    checks["venue_index"] = OK if services.catalogue.loaded else FAILING
    checks.update(await services.health.run())
    return HealthReport(checks, stopping)


class InstrumentedApplication(Application):  # type: ignore[type-arg]
    """The Application, timing and counting every update it handles (for /metrics).
    Set with ApplicationBuilder.application_class; polling and the webhook inbox both
    hand updates to process_update."""

    __slots__ = ()

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            services = self.bot_data.services
            if services is not None:
                services.metrics.update_handled(update, time.perf_counter() - started)


class HealthServer:
    """Serves /healthz and /metrics for one running Application."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
    ) -> None:
        self._application = application
        self._settings = settings
        self._probe = DatabaseProbe(settings.database_url)
        self._runner: web.AppRunner | None = None
        self.port = settings.health_port
        # Set at the start of a graceful stop: /healthz answers 503 "stopping".
        self.stopping = False

    @property
    def _services(self) -> Services | None:
        return self._application.bot_data.services

    async def start(self) -> HealthServer:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.health_listen, self._settings.health_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.info("health and metrics on port %d", self.port)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._probe.close()

    async def _healthz(self, _request: web.Request) -> web.Response:
        report = await health_report(self._services, self._probe, stopping=self.stopping)
        return web.json_response(report.body(), status=200 if report.healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        services = self._services
        body = await services.metrics.render(services.sessions) if services else "\n"
        return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})
