"""/nightstars and the ⭐ button: who the Night Stars are, and whether they are on duty."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import button_filter, send


async def on_night_stars(update: Update, context: NightSafeContext) -> None:
    services = context.services
    now = services.now()
    partnership = services.partnership.localised(context.language)
    status = partnership.night_stars_status(now)
    reply = render.night_stars(partnership, status, now, services.zone, context.language)
    await send(update, context, reply)


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.NIGHTSTARS.name, on_night_stars),
        MessageHandler(button_filter("keyboard.night_stars"), on_night_stars),
    ]
