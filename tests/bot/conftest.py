"""How the bot is tested: the real python-telegram-bot Application, over real HTTP,
against the local Bot API server in `bot.local_api` — no Telegram, no network, no mocks.

The pattern (see test_local_api_real_application_answers_a_user in test_local_api.py):

    async def test_start_greets_the_user(local_bot_api):
        application = (
            Application.builder()
            .token(local_bot_api.token)
            .base_url(local_bot_api.base_url)  # what TELEGRAM_API_BASE_URL holds
            .build()
        )
        ...  # register the handlers under test (for the real bot: build_application)
        async with polling(application):
            alex = local_bot_api.user(1001, "Alex")
            await alex.send_command("/start")
            reply = await alex.next_reply()  # waits on recorded calls; never sleeps
            assert "Safe Haven" in reply.text

A test asserts what the user would see (`reply.text`, `reply.buttons`, `reply.photo`,
`alex.transcript()`), or what Telegram would have received (`local_bot_api.calls`).
The server rejects what Telegram rejects (bad HTML, text over 4096, callback_data over
64 bytes, …), so a bot that passes here does not fail that way in production.
Failures are injected with `local_bot_api.fail_next(...)`; flood-limit breaches are
counted in `local_bot_api.flood_violations`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot

from bot.local_api import LocalBotApiServer
from bot.logs import configure_logging
from tests.bot.nightsafe import NightSafe, running_nightsafe


@pytest.fixture
async def local_bot_api() -> AsyncIterator[LocalBotApiServer]:
    """A local Bot API server on a free loopback port, stopped after the test."""
    async with LocalBotApiServer(port=0) as server:
        yield server
    assert not server.internal_errors, "the local Bot API server itself failed"


@pytest.fixture
async def telegram_bot(local_bot_api: LocalBotApiServer) -> AsyncIterator[Bot]:
    """A plain telegram.Bot talking to the local server."""
    async with Bot(
        local_bot_api.token,
        base_url=local_bot_api.base_url,
        base_file_url=local_bot_api.base_file_url,
    ) as bot:
        yield bot


@pytest.fixture
async def nightsafe(
    local_bot_api: LocalBotApiServer, database_url: str
) -> AsyncIterator[NightSafe]:
    """The real NightSafe bot, polling the local server, demo venues loaded,
    the clock at Saturday 23:40."""
    async with running_nightsafe(local_bot_api, database_url) as bot:
        yield bot


@pytest.fixture
def bot_log() -> Iterator[io.StringIO]:
    """The bot's real logging pipeline at DEBUG, with python-telegram-bot's own DEBUG
    logs (which print whole updates, locations included) switched on as well."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", stream=buffer)
    logging.getLogger("telegram").setLevel(logging.DEBUG)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    logging.getLogger("telegram").setLevel(logging.NOTSET)
