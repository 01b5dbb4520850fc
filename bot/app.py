"""Builds the Application: the one place where the parts are wired together."""

from __future__ import annotations

import gc
import logging
from datetime import timedelta
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, Defaults

from bot import commands, conversation, delivery, expiry
from bot.aiohttp_request import AiohttpRequest
from bot.context import CONTEXT_TYPES, NightSafeContext
from bot.conversation import ConversationRouter
from bot.handlers import (
    broadcast,
    emergency,
    errors,
    fallback,
    flood,
    inline,
    live,
    locate,
    myvenue,
    nightstars,
    preferences,
    privacy,
    registration,
    reports,
    review,
    staff,
    start,
    subscriptions,
)
from bot.health import InstrumentedApplication
from bot.pacing import TELEGRAM_MESSAGES_PER_SECOND, SendWindow
from bot.ratelimit import ChatPacedRateLimiter
from bot.services import Clock, open_services, utc_now
from bot.settings import Settings
from bot.texts import t
from bot.update_order import ChatOrderedUpdates

logger = logging.getLogger(__name__)

NightSafeApplication = Application[Any, NightSafeContext, Any, Any, Any, Any]
UPDATES_AT_ONCE = 32  # updates handled side by side (each chat's still one at a time)


def file_base_url(api_base_url: str) -> str:
    """`https://host/bot` → `https://host/file/bot`, as the Bot API lays out file URLs."""
    head, _, tail = api_base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}"


def build_application(settings: Settings, *, clock: Clock = utc_now) -> NightSafeApplication:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        Application.builder()
        # Counts and times every update for /metrics (bot.health).
        .application_class(InstrumentedApplication)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        # aiohttp instead of httpx: a fifth of the CPU a request (bench/updates.py).
        .request(AiohttpRequest(connections=64, read_timeout=5.0, connect_timeout=5.0))
        .get_updates_request(AiohttpRequest(connections=1, read_timeout=5.0, connect_timeout=5.0))
        .context_types(CONTEXT_TYPES)
        # One person's slow answer does not hold up everyone else's.
        .concurrent_updates(ChatOrderedUpdates(UPDATES_AT_ONCE))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(
            ChatPacedRateLimiter(
                overall_max_rate=settings.global_send_rate,
                per_chat_rate=settings.per_chat_send_rate,
                per_chat_burst=settings.per_chat_burst,
                # Shared with the alert sender. (A local server may allow more than
                # Telegram: the configured rate then sets the budget.)
                budget=SendWindow(max(TELEGRAM_MESSAGES_PER_SECOND, settings.global_send_rate)),
            )
        )
        .post_init(_opener(settings, clock))
        .post_shutdown(_close)
        .build()
    )
    register_handlers(application, settings)
    return application


def register_handlers(application: NightSafeApplication, settings: Settings) -> None:
    # Order matters: flood control sees everything first; emergencies are answered
    # before any other reading of a text; typed places come last of all.
    application.add_handlers(
        flood.handlers(flood.FloodGate(settings.user_rate, settings.user_burst)),
        group=flood.FLOOD_GROUP,
    )
    application.add_handlers(preferences.loader(), group=preferences.PREFERENCES_GROUP)
    application.add_handlers(emergency.handlers(), group=emergency.EMERGENCY_GROUP)
    # Database-backed guided chats (bot.conversation), one router for all of them;
    # it runs before the ordinary handlers and keeps the updates it consumes.
    router = ConversationRouter(
        [
            # (issue 4) registration conversation
            registration.conversation(settings),
            review.reject_conversation(),
            myvenue.hours_conversation(settings),
            myvenue.change_conversation(settings),
            reports.conversation(),
            broadcast.CONVERSATION,  # (issue 5) broadcast conversation
        ],
        # Long polling: this process alone receives updates (see ConversationRouter).
        remember_absent=not settings.webhook_mode,
    )
    conversation.register(application, router, sweep_every=timedelta(minutes=1))
    application.add_handlers(start.handlers())
    application.add_handlers(nightstars.handlers())
    application.add_handlers(subscriptions.handlers())
    application.add_handlers(privacy.handlers())
    application.add_handlers(staff.handlers())
    # (issue 4) registration, review, venue staff handlers are added here
    application.add_handlers(registration.handlers())
    application.add_handlers(review.handlers())
    application.add_handlers(myvenue.handlers())
    application.add_handlers(reports.handlers())
    expiry.schedule(application, settings)  # the daily accreditation expiry check
    # (issue 5) broadcast handlers are added here
    application.add_handlers(broadcast.handlers())
    # (issue 7) live location, inline mode, settings handlers are added here
    application.add_handlers(live.handlers(live.tracker_for(application, settings)))
    application.add_handlers(inline.handlers())
    application.add_handlers(preferences.handlers())
    application.add_handlers(locate.handlers())
    application.add_handlers(locate.text_handlers())
    application.add_handlers(fallback.handlers())
    application.add_error_handler(errors.on_error)


def _opener(settings: Settings, clock: Clock) -> Any:
    async def post_init(application: NightSafeApplication) -> None:
        application.bot_data.services = await open_services(settings, clock)
        await _publish_commands(application, settings)
        await delivery.start(application)  # (issue 5) the alert outbox worker
        # Everything loaded so far lives as long as the process: keep the garbage
        # collector from walking it again and again (pauses of tens of milliseconds).
        gc.collect()
        gc.freeze()

    return post_init


async def _close(application: NightSafeApplication) -> None:
    await delivery.stop(application)  # (issue 5) sends in flight finish first
    services = application.bot_data.services
    if services is not None:
        await services.close()
        application.bot_data.services = None


def _bot_commands(audience: commands.Audience) -> list[BotCommand]:
    return [BotCommand(c.name, t(c.description_key)) for c in commands.commands_for(audience)]


async def _publish_commands(application: NightSafeApplication, settings: Settings) -> None:
    bot = application.bot
    await bot.set_my_commands(
        _bot_commands(commands.Audience.PUBLIC), scope=BotCommandScopeDefault()
    )
    staff_commands = _bot_commands(commands.Audience.STAFF)
    for admin_id in settings.admin_ids:
        try:
            await bot.set_my_commands(staff_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError:
            # Until they first open the bot, Telegram knows no chat with them.
            logger.info("staff commands not set for one admin: no chat yet")
