"""NightSafe as deployed: bot.runner's life cycle (webhook or polling, /healthz, /metrics)
against the local Bot API server — for the webhook, health and replica tests."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from bot.local_api import LocalBotApiServer
from bot.runner import RunningBot, running
from bot.webhook import SECRET_HEADER
from tests.bot.nightsafe import FrozenClock, make_settings

WEBHOOK_SECRET = "nightsafe-test-secret_0123456789"
WEBHOOK_PATH = "/telegram"


def free_port() -> int:
    """A loopback port nobody listens on (the webhook URL must be known before binding)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{WEBHOOK_PATH}"


@asynccontextmanager
async def running_replica(
    server: LocalBotApiServer,
    database_url: str,
    *,
    replica: str = "a",
    public_url: str | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningBot]:
    """One replica in webhook mode on its own port; Telegram (the local server) posts to
    `public_url` — this replica's own URL unless a load balancer stands in front."""
    port = free_port()
    settings = make_settings(
        server,
        database_url,
        NIGHTSAFE_WEBHOOK_URL=public_url or webhook_url(port),
        NIGHTSAFE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        NIGHTSAFE_WEBHOOK_PORT=port,
        NIGHTSAFE_HEALTH_PORT=0,
        NIGHTSAFE_REPLICA_ID=replica,
        NIGHTSAFE_SHUTDOWN_GRACE_SECONDS=5,
        **overrides,
    )
    async with running(settings, clock=FrozenClock()) as bot:
        yield bot


@asynccontextmanager
async def running_polling(
    server: LocalBotApiServer, database_url: str, **overrides: Any
) -> AsyncIterator[RunningBot]:
    settings = make_settings(server, database_url, NIGHTSAFE_HEALTH_PORT=0, **overrides)
    async with running(settings, clock=FrozenClock()) as bot:
        yield bot


def replica_webhook(bot: RunningBot) -> str:
    assert bot.webhook is not None
    return f"http://127.0.0.1:{bot.webhook.port}{bot.webhook.path}"


async def post_update(url: str, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> int:
    """POST an update as Telegram does; the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def get_health(bot: RunningBot, path: str = "/healthz") -> tuple[int, Any]:
    url = f"http://127.0.0.1:{bot.health.port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await (response.json() if path == "/healthz" else response.text())
        return response.status, body


def command_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private-chat text message as Telegram posts it."""
    user = {"id": user_id, "is_bot": False, "first_name": "Alex", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_790_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Alex"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id, "message": message}


def location_update(
    update_id: int, user_id: int, latitude: float, longitude: float
) -> dict[str, Any]:
    """A shared location as Telegram posts it."""
    update = command_update(update_id, user_id, "")
    message = update["message"]
    del message["text"]
    message["location"] = {"latitude": latitude, "longitude": longitude}
    return update


class LoadBalancer:
    """What stands in front of several replicas: one public webhook URL, each request
    passed to the next replica in turn (headers and body as they came)."""

    def __init__(self) -> None:
        self.replicas: list[str] = []
        self.routed: list[int] = []  # which replica each update went to, in order
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return webhook_url(self.port)

    async def __aenter__(self) -> LoadBalancer:
        self._client = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        if not self.replicas:
            return web.Response(status=502)
        target = len(self.routed) % len(self.replicas)
        self.routed.append(target)
        headers = {"Content-Type": "application/json"}
        if SECRET_HEADER in request.headers:
            headers[SECRET_HEADER] = request.headers[SECRET_HEADER]
        body = await request.read()
        async with self._client.post(self.replicas[target], data=body, headers=headers) as reply:
            return web.Response(status=reply.status)
