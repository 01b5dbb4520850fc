"""Emergency first: /emergency, the 🆘 button, and any message that reads like one.

Registered ahead of every other handler, so the guidance comes before anything
else the bot might say. A message that reads like an emergency in the middle of
a guided chat (a report saying "I was harassed", a venue called "Police Bar")
still reaches that chat after the guidance; anywhere else the guidance is the
whole answer (the conversation router stops the update).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import button_filter, send
from venues.emergency import looks_like_emergency


class _ReadsLikeEmergency(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return looks_like_emergency(message.text)


READS_LIKE_EMERGENCY = _ReadsLikeEmergency(name="ReadsLikeEmergency")
# Before conversations and every other reading of a message.
EMERGENCY_GROUP = -5


async def on_emergency(update: Update, context: NightSafeContext) -> None:
    partnership = context.services.partnership.localised(context.language)
    reply = render.emergency(partnership.emergency, context.language)
    await send(update, context, reply)
    context.emergency_answered = True


async def on_emergency_command(update: Update, context: NightSafeContext) -> None:
    await on_emergency(update, context)
    raise ApplicationHandlerStop  # /emergency and the 🆘 button ask for nothing else


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.EMERGENCY.name, on_emergency_command),
        MessageHandler(button_filter("keyboard.emergency"), on_emergency_command),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & READS_LIKE_EMERGENCY,
            on_emergency,
        ),
    ]
