"""What nobody else answered: unknown commands and messages the bot can't read.

Registered last, so every feature's own handlers come first.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import render
from bot.context import NightSafeContext
from bot.handlers.common import send
from bot.texts import t

_UNREADABLE = (
    filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.LOCATION & ~filters.StatusUpdate.ALL
)


async def on_unknown_command(update: Update, context: NightSafeContext) -> None:
    await send(update, context, render.Reply(t("unknown.command", context.language)))


async def on_unknown_button(update: Update, context: NightSafeContext) -> None:
    """A button nobody recognised: an old one from a finished chat, or forged data."""
    await update.callback_query.answer(t("callback.expired", context.language), show_alert=True)


async def on_unreadable(update: Update, context: NightSafeContext) -> None:
    await send(update, context, render.Reply(t("unsupported.message", context.language)))


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, on_unknown_command),
        MessageHandler(_UNREADABLE, on_unreadable),
        CallbackQueryHandler(on_unknown_button),
    ]
