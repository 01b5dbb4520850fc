"""The webhook endpoint, served by aiohttp: Telegram POSTs each update here.

A request must carry the secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token
(compared in constant time), or it gets 403 and is not looked at. An update is answered
200 only once the inbox has recorded it (bot.inbox); anything else is answered with an
error status, so Telegram keeps the update and delivers it again later.
"""

from __future__ import annotations

import hmac
import logging
import re
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.inbox import InboxStoppedError, Receipt, UpdateInbox
from bot.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What Telegram allows in secret_token.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_UPDATE_BYTES = 1024 * 1024
SECRET_HELP = (
    "set NIGHTSAFE_WEBHOOK_SECRET to 1-256 characters of A-Z a-z 0-9 _ - "
    "(for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
)


def webhook_problem(settings: Settings) -> str | None:
    """What is wrong with the webhook settings (None: nothing, or not in webhook mode)."""
    if not settings.webhook_mode:
        return None
    parts = urlsplit(settings.webhook_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "NIGHTSAFE_WEBHOOK_URL must be a full URL, e.g. https://bot.example.org/telegram"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not SECRET_PATTERN.fullmatch(secret):
        return f"webhook mode needs a secret: {SECRET_HELP}"
    return None


def webhook_path(settings: Settings) -> str:
    """The path the server answers on: the public URL's (a proxy forwards it unchanged)."""
    return urlsplit(settings.webhook_url.strip()).path or "/"


class WebhookServer:
    def __init__(self, inbox: UpdateInbox, settings: Settings) -> None:
        if problem := webhook_problem(settings):
            raise ValueError(problem)
        assert settings.webhook_secret is not None
        self._inbox = inbox
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self._listen = settings.webhook_listen
        self.path = webhook_path(settings)
        self.port = settings.webhook_port
        self._runner: web.AppRunner | None = None

    async def start(self, shutdown_timeout: float = 10.0) -> WebhookServer:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self.port).start()
        self.port = self._runner.addresses[0][1]
        logger.info("webhook listening on port %d, path %s", self.port, self.path)
        return self

    async def stop(self) -> None:
        """Stop taking requests; those in flight finish (within the shutdown timeout)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _authentic(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _receive(self, request: web.Request) -> web.Response:
        if not self._authentic(request):
            logger.warning("webhook: request without the right secret refused")
            return web.Response(status=403)
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="not an update")
        try:
            receipt = await self._inbox.receive(payload)
        except ValueError:
            return web.Response(status=400, text="not an update")
        except InboxStoppedError:
            return web.Response(status=503, text="stopping")
        except (SQLAlchemyError, OSError) as error:
            # Not recorded: Telegram keeps it and retries.
            logger.warning("webhook: update not recorded: %s", type(error).__name__)
            return web.Response(status=503, text="not recorded")
        if receipt is Receipt.BUSY:
            return web.Response(status=503, text="being handled elsewhere")
        return web.Response(status=200)
