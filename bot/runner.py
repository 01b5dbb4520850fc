"""Running the bot for real (`python bot.py`): long polling, or the webhook when
NIGHTSAFE_WEBHOOK_URL is set; /healthz and /metrics beside it; a graceful stop.

On SIGTERM or SIGINT: /healthz turns 503 ("stopping"), no new update is taken, the
updates in flight are finished (the webhook's within NIGHTSAFE_SHUTDOWN_GRACE_SECONDS),
background jobs stop, and the database is closed. `running(settings)` is the same
life cycle as an async context manager, which the tests drive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, NetworkError

from bot.app import NightSafeApplication, build_application
from bot.db import create_engine
from bot.health import HealthServer
from bot.inbox import UpdateInbox
from bot.logs import configure_logging
from bot.migrations import SchemaError, prepare_schema
from bot.services import Clock, Services, utc_now
from bot.settings import Settings
from bot.webhook import WebhookServer, webhook_problem

logger = logging.getLogger(__name__)


class ConfigurationError(Exception):
    """The settings cannot run the bot; the message says which and how to fix it."""


@dataclass
class RunningBot:
    application: NightSafeApplication
    settings: Settings
    health: HealthServer
    webhook: WebhookServer | None = None
    inbox: UpdateInbox | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data.services
        assert services is not None
        return services


@asynccontextmanager
async def running(settings: Settings, *, clock: Clock = utc_now) -> AsyncIterator[RunningBot]:
    """Start the bot in the mode its settings say; stop it gracefully on exit."""
    if problem := webhook_problem(settings):
        raise ConfigurationError(problem)
    await _check_schema(settings)  # before anything talks to Telegram
    application = build_application(settings, clock=clock)
    async with AsyncExitStack() as stack:
        # Unwound in reverse: stop taking updates, finish them, stop jobs, close.
        await stack.enter_async_context(application)
        assert application.post_init is not None
        assert application.post_shutdown is not None
        stack.push_async_callback(application.post_shutdown, application)
        await application.post_init(application)  # opens services: checks the schema
        health = await HealthServer(application, settings).start()
        stack.push_async_callback(health.stop)
        await application.start()
        stack.push_async_callback(application.stop)
        bot = RunningBot(application, settings, health)
        if settings.webhook_mode:
            await _start_webhook(bot, stack)
        else:
            await _start_polling(bot, stack)
        stack.callback(_mark_stopping, health)
        yield bot


async def _check_schema(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await prepare_schema(engine, auto_migrate=settings.auto_migrate)
    finally:
        await engine.dispose()


def _mark_stopping(health: HealthServer) -> None:
    health.stopping = True
    logger.info("stopping: no new updates; finishing those in flight")


async def _start_polling(bot: RunningBot, stack: AsyncExitStack) -> None:
    updater = bot.application.updater
    assert updater is not None, "build the Application with an Updater"
    # Deletes any webhook first; Application.stop() then handles every fetched update.
    await updater.start_polling(poll_interval=0.0, timeout=10)
    stack.push_async_callback(updater.stop)
    logger.info("polling for updates")


async def _start_webhook(bot: RunningBot, stack: AsyncExitStack) -> None:
    settings = bot.settings
    grace = settings.shutdown_grace_seconds
    inbox = UpdateInbox(bot.application, bot.services.sessions, settings)
    # What an earlier run recorded and never handled goes first.
    await inbox.recover()
    inbox.start()
    stack.push_async_callback(inbox.stop, grace)
    webhook = await WebhookServer(inbox, settings).start(shutdown_timeout=grace)
    stack.push_async_callback(webhook.stop)
    assert settings.webhook_secret is not None
    # Every replica sets the same URL and secret: harmless repetition, no coordination.
    await bot.application.bot.set_webhook(
        settings.webhook_url.strip(), secret_token=settings.webhook_secret.get_secret_value()
    )
    bot.webhook, bot.inbox = webhook, inbox


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        async with running(settings) as bot:
            mode = "webhook" if bot.webhook else "long polling"
            logger.info("NightSafe is running (%s, replica %s)", mode, settings.replica_id)
            await stop.wait()
    finally:
        for number in signals:
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(number)


NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so NightSafe cannot talk to Telegram.

To get a token:
  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Give the bot a name (your partnership's) and a username ending in "bot".
  3. BotFather answers with a token like 123456789:AAE...; keep it secret.
  4. Put it in a file named .env beside bot.py:  TELEGRAM_BOT_TOKEN=123456789:AAE...
     (or in the environment), then run `python bot.py` again.

To try the bot now, offline, with no token and no network:  python bot.py demo"""

EXIT_OK, EXIT_FAILED, EXIT_CONFIGURATION = 0, 1, 2


def run_command(settings: Settings) -> int:
    """`python bot.py`: run until stopped; a clear message instead of a traceback when
    the token, the settings or the database schema are not right."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIGURATION
    configure_logging(settings.log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its schema checks are chatty
    try:
        asyncio.run(serve(settings))
    except ConfigurationError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    except SchemaError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (SQLAlchemyError, OSError) as error:
        reason = type(error).__name__
        print(f"Cannot start: the database is unreachable ({reason})", file=sys.stderr)
        return EXIT_FAILED
    except InvalidToken:
        print(
            "Telegram refused TELEGRAM_BOT_TOKEN. Copy it again from @BotFather "
            "(/mybots → your bot → API Token).",
            file=sys.stderr,
        )
        return EXIT_CONFIGURATION
    except NetworkError as error:
        print(
            f"Cannot reach the Bot API at {settings.telegram_api_base_url} ({error}).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
