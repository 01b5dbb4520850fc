"""Delivers pending updates to the webhook, in order, one at a time, with the
X-Telegram-Bot-Api-Secret-Token header; failures are kept for getWebhookInfo and retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from .state import TelegramState

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookWorker:
    def __init__(
        self,
        state: TelegramState,
        retry_delay: float = 0.5,
        on_attempt: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.attempts = 0
        self._on_attempt = on_attempt
        self.delivered = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="local-bot-api-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    def kick(self) -> None:
        """Something changed (an update, a webhook setting): look again."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.state.webhook is not None and self.state.queue.pending:
                delivered = await self._deliver_first()
                self.attempts += 1
                if self._on_attempt is not None:
                    await self._on_attempt()
                if not delivered:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.retry_delay)
                    self._wake.clear()

    async def _deliver_first(self) -> bool:
        hook, queue = self.state.webhook, self.state.queue
        assert hook is not None
        assert self._session is not None
        update = queue.pending[0]
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            async with self._session.post(hook.url, json=update, headers=headers) as response:
                if response.status >= 300:
                    return self._failed(f"Wrong response from the webhook: {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            return self._failed(f"Connection error: {type(error).__name__}")
        if queue.pending and queue.pending[0] is update:
            queue.pending.pop(0)
        self.delivered += 1
        return True

    def _failed(self, message: str) -> bool:
        hook = self.state.webhook
        if hook is not None:
            hook.last_error_date = self.state.now()
            hook.last_error_message = message
        logger.debug("webhook delivery failed: %s", message)
        return False
