"""Sending what `render` made: the only place handlers touch message sending."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import filters

from bot.context import NightSafeContext
from bot.render import Reply
from bot.render.simple import simplified
from bot.texts import available_languages, t

logger = logging.getLogger(__name__)


async def send(update: Update, context: NightSafeContext, reply: Reply) -> Message | None:
    """Send a reply to the update's chat (in the person's simple mode if they chose it)."""
    chat = update.effective_chat
    if chat is None:
        return None
    if context.preferences.simple:
        simple = simplified(reply, context.language)
        return await send_to_chat(context, chat.id, simple, plain=True)
    return await send_to_chat(context, chat.id, reply)


async def send_to_chat(
    context: NightSafeContext, chat_id: int, reply: Reply, *, plain: bool = False
) -> Message:
    """The venue pin first, then the text."""
    if reply.pin is not None:
        await context.bot.send_venue(
            chat_id,
            latitude=reply.pin.latitude,
            longitude=reply.pin.longitude,
            title=reply.pin.title,
            address=reply.pin.address,
        )
    # An explicit parse_mode=None sends plain text despite the HTML default.
    no_markup: dict[str, None] = {"parse_mode": None} if plain else {}
    return await context.bot.send_message(
        chat_id, reply.text, reply_markup=reply.keyboard, **no_markup
    )


async def edit(query: CallbackQuery, reply: Reply, context: NightSafeContext) -> None:
    """Replace a message's text and buttons; an unchanged message is not an error.

    A person in simple mode gets the simple form."""
    no_markup: dict[str, None] = {}
    if context.preferences.simple:
        reply, no_markup = simplified(reply, context.language), {"parse_mode": None}
    markup = reply.keyboard if isinstance(reply.keyboard, InlineKeyboardMarkup) else None
    try:
        await query.edit_message_text(reply.text, reply_markup=markup, **no_markup)
    except BadRequest as error:
        # The same button pressed twice leaves the message as it was: nothing to do.
        if "not modified" not in str(error).lower():
            raise


async def drop_if_discreet(update: Update, context: NightSafeContext) -> None:
    """In discreet mode, delete the place or location the person sent, once answered."""
    message = update.effective_message
    if message is None or not context.preferences.discreet:
        return
    try:
        await message.delete()
    except TelegramError:
        logger.info("could not delete a discreet message (too old or already gone)")


def button_filter(key: str) -> filters.BaseFilter:
    """Messages that are a main-keyboard button's label, in any language."""
    labels = [t(key, language) for language in available_languages()]
    return filters.UpdateType.MESSAGE & filters.Text(labels)
