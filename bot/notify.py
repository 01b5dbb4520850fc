"""Telling people things outside the chat they are in: staff cards, applicants, reminders.

A person who blocked the bot, or never opened it, is skipped (and logged without
who they are): one unreachable person must not stop the others being told.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden

from bot.render import Reply

logger = logging.getLogger(__name__)


async def tell(bot: Bot, chat_id: int, reply: Reply) -> Message | None:
    """Send a reply (pin first, then text); None when the chat can't be reached."""
    try:
        if reply.pin is not None:
            await bot.send_venue(
                chat_id,
                latitude=reply.pin.latitude,
                longitude=reply.pin.longitude,
                title=reply.pin.title,
                address=reply.pin.address,
            )
        return await bot.send_message(chat_id, reply.text, reply_markup=reply.keyboard)
    except (Forbidden, BadRequest) as error:
        logger.info("a chat could not be told (%s)", type(error).__name__)
        return None


async def tell_all(bot: Bot, chat_ids: Iterable[int], reply: Reply) -> list[Message]:
    sent = []
    for chat_id in dict.fromkeys(chat_ids):
        message = await tell(bot, chat_id, reply)
        if message is not None:
            sent.append(message)
    return sent


async def send_file(
    bot: Bot, chat_id: int, data: bytes, filename: str, caption: str
) -> Message | None:
    """A document (sent as a file, so a poster keeps its print quality)."""
    try:
        return await bot.send_document(
            chat_id, document=InputFile(data, filename=filename), caption=caption
        )
    except (Forbidden, BadRequest) as error:
        logger.info("a chat could not be sent a file (%s)", type(error).__name__)
        return None


async def replace_text(bot: Bot, chat_id: int, message_id: int, reply: Reply) -> None:
    """Edit a message sent earlier (a review card); gone or unchanged messages are fine."""
    markup = reply.keyboard if isinstance(reply.keyboard, InlineKeyboardMarkup) else None
    try:
        await bot.edit_message_text(
            reply.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except (Forbidden, BadRequest) as error:
        if "not modified" not in str(error).lower():
            logger.info("a message could not be updated (%s)", type(error).__name__)
