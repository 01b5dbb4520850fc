"""Running a real python-telegram-bot Application against the local server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application


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
