"""One error handler: a failure is logged without personal data and answered kindly."""

from __future__ import annotations

import io
import logging

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import NightSafeContext
from bot.local_api import LocalBotApiServer
from bot.logs import configure_logging
from tests.bot.nightsafe import running_nightsafe

SECRET_WORDS = "meet me at 51.523456 -0.142345 my name is Zebedee"


async def _explode(update: Update, context: NightSafeContext) -> None:
    raise RuntimeError("something broke inside a handler")


async def test_a_failing_handler_gets_a_kind_answer_and_a_clean_log(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", stream=buffer)
    try:
        async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
            bot.application.add_handler(
                MessageHandler(filters.Regex("Zebedee"), _explode), group=-20
            )
            alex = bot.user()
            await alex.send_text(SECRET_WORDS)
            reply = await alex.next_reply()
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    assert reply.text == (
        "😕 Sorry, something went wrong on our side. Please try again. In an emergency call 999."
    )
    logged = buffer.getvalue()
    assert "update 1 (message) failed" in logged
    assert "RuntimeError: something broke inside a handler" in logged
    assert "Zebedee" not in logged
    assert "51.5234" not in logged
