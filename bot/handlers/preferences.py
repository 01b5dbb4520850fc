"""A person's own choices: /language, /simple (plain answers) and /discreet.

The choices are read before every other handler, so each answer — and the
emergency guidance first of all — comes in the person's language and form.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, TypeHandler

from bot import commands
from bot.context import NightSafeContext
from bot.handlers.common import edit, send
from bot.render import settings as render_settings
from bot.texts import available_languages, language_for

PREFERENCES_GROUP = -9  # after flood control, before the emergency check
LANGUAGE_PREFIX = "lang"
_LANGUAGE_BUTTON = re.compile(r"^lang\|(?P<code>[a-z]{2}|auto)$")
_ON_OFF = {"on": True, "off": False}


async def load_preferences(update: Update, context: NightSafeContext) -> None:
    user = update.effective_user
    if user is None:
        return
    preferences = await context.services.preferences.of(user.id)
    context.preferences = preferences
    if preferences.language in available_languages():
        context.language = preferences.language


async def on_language(update: Update, context: NightSafeContext) -> None:
    await send(update, context, render_settings.language_picker(context.language))


async def on_language_button(update: Update, context: NightSafeContext) -> None:
    callback = update.callback_query
    match = _LANGUAGE_BUTTON.match(callback.data or "")
    code = match["code"] if match else None
    if code is None or (code != "auto" and code not in available_languages()):
        await callback.answer(render_settings.expired(context.language), show_alert=True)
        return
    chosen = None if code == "auto" else code
    await context.services.preferences.change(update.effective_user.id, language=chosen)
    context.language = chosen or language_for(update.effective_user.language_code)
    await callback.answer()
    reply = render_settings.language_set(context.language, automatic=chosen is None)
    await edit(callback, reply, context)


def _switch(context: NightSafeContext, current: bool) -> bool:
    """`/simple on`, `/simple off`, or a bare `/simple` that toggles."""
    argument = (context.args or [""])[0].lower()
    return _ON_OFF.get(argument, not current)


async def on_simple(update: Update, context: NightSafeContext) -> None:
    simple = _switch(context, context.preferences.simple)
    context.preferences = await context.services.preferences.change(
        update.effective_user.id, simple=simple
    )
    await send(update, context, render_settings.simple_set(simple, context.language))


async def on_discreet(update: Update, context: NightSafeContext) -> None:
    discreet = _switch(context, context.preferences.discreet)
    context.preferences = await context.services.preferences.change(
        update.effective_user.id, discreet=discreet
    )
    await send(update, context, render_settings.discreet_set(discreet, context.language))


def loader() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [TypeHandler(Update, load_preferences)]


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.LANGUAGE.name, on_language),
        CommandHandler(commands.SIMPLE.name, on_simple),
        CommandHandler(commands.DISCREET.name, on_discreet),
        CallbackQueryHandler(on_language_button, pattern=rf"^{LANGUAGE_PREFIX}\|"),
    ]
