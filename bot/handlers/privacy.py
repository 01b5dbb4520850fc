"""/privacy (what is kept, why, for how long) and /forget (delete all of it)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import send
from bot.store import users
from bot.texts import t


async def on_privacy(update: Update, context: NightSafeContext) -> None:
    await send(update, context, render.Reply(t("privacy.text", context.language)))


async def on_forget(update: Update, context: NightSafeContext) -> None:
    async with context.services.sessions() as session, session.begin():
        await users.forget(session, update.effective_user.id)
    context.services.preferences.forget(update.effective_user.id)
    await send(update, context, render.Reply(t("forget.done", context.language)))


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.PRIVACY.name, on_privacy),
        CommandHandler(commands.FORGET.name, on_forget),
    ]
