"""Running a real python-telegram-bot Application against the local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from .server import LocalBotApiServer


@asynccontextmanager
async def polling(application: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """Initialise, start long polling and the Application; stop and shut down after.

    Runs the Application's post_init and post_shutdown hooks as `run_polling` does.
    Long polls answer as soon as an update arrives, so no poll interval is needed."""
    async with application:
        assert application.updater is not None, "build the Application with an Updater"
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.updater.start_polling(poll_interval=0.0, timeout=10)
            await application.start()
            try:
                yield
            finally:
                await application.updater.stop()
                await application.stop()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


async def all_handled(
    server: LocalBotApiServer,
    application: Application[Any, Any, Any, Any, Any, Any],
    timeout: float = 5.0,  # noqa: ASYNC109
) -> None:
    """Wait until the bot has fetched every update and finished handling it.

    The updater queues what getUpdates returned before it polls again with the next
    offset, so once nothing is pending on the server every update is in the
    application's queue, whose join() returns when each one has been handled (updates
    of different chats are handled side by side, so another person's answer says
    nothing about them)."""
    queue = server.state.queue
    await server.calls.wait_until(lambda: not queue.pending, timeout)
    async with asyncio.timeout(timeout):
        await application.update_queue.join()
