"""Sending what `render` made: the only place handlers touch message sending."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import filters

from bot.context import NightSafeContext
from bot.render import Reply
from bot.texts import available_languages, t


async def send(update: Update, context: NightSafeContext, reply: Reply) -> Message | None:
    """Send a reply to the update's chat: the venue pin first, then the text."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_to_chat(context, chat.id, reply)


async def send_to_chat(context: NightSafeContext, chat_id: int, reply: Reply) -> Message:
    if reply.pin is not None:
        await context.bot.send_venue(
            chat_id,
            latitude=reply.pin.latitude,
            longitude=reply.pin.longitude,
            title=reply.pin.title,
            address=reply.pin.address,
        )
    return await context.bot.send_message(chat_id, reply.text, reply_markup=reply.keyboard)


async def edit(query: CallbackQuery, reply: Reply) -> None:
    """Replace a message's text and buttons; an unchanged message is not an error."""
    markup = reply.keyboard if isinstance(reply.keyboard, InlineKeyboardMarkup) else None
    try:
        await query.edit_message_text(reply.text, reply_markup=markup)
    except BadRequest as error:
        # The same button pressed twice leaves the message as it was: nothing to do.
        if "not modified" not in str(error).lower():
            raise


def button_filter(key: str) -> filters.BaseFilter:
    """Messages that are a main-keyboard button's label, in any language."""
    labels = [t(key, language) for language in available_languages()]
    return filters.UpdateType.MESSAGE & filters.Text(labels)
