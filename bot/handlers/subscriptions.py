"""/subscribe (choose zones, then quiet hours), /unsubscribe and /alerts (with the 🔔 button).

The zones being chosen travel in the buttons' data, so nothing is stored until
the person taps Done. Quiet hours are local wall-clock times chosen from a few
ranges: normal alerts wait until they end, urgent ones come at once.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import button_filter, edit, send
from bot.render import broadcast as alert_render
from bot.store import alerts, subscriptions
from bot.texts import t

SUBSCRIBE_PREFIX = "sz"
QUIET_PREFIX = "sq"
_ZONE_BUTTON = re.compile(
    r"^sz\|(?P<action>[td])\|(?P<mask>[0-9a-f]{1,8})(?:\|(?P<zone>\d{1,2}))?$"
)


async def on_subscribe(update: Update, context: NightSafeContext) -> None:
    services = context.services
    async with services.sessions() as session:
        current = await subscriptions.get(session, update.effective_chat.id)
    zones = services.partnership.zones
    chosen = frozenset(current.zones) if current else frozenset()
    await send(update, context, render.zone_picker(zones, chosen, context.language))


def _still_there(callback: CallbackQuery) -> bool:
    """The pressed message can still be edited (not gone, not too old)."""
    return callback.message is not None and callback.message.is_accessible


async def on_zone_button(update: Update, context: NightSafeContext) -> None:
    callback = update.callback_query
    zones = context.services.partnership.zones
    match = _ZONE_BUTTON.match(callback.data or "")
    mask = int(match["mask"], 16) if match else -1
    if not match or mask >= 1 << len(zones) or not _still_there(callback):
        await callback.answer(t("callback.expired", context.language), show_alert=True)
        return
    chosen = render.zones_from_mask(zones, mask)
    if match["action"] == "t":
        index = int(match["zone"] or -1)
        if not 0 <= index < len(zones):
            await callback.answer(t("callback.expired", context.language), show_alert=True)
            return
        chosen = chosen ^ {zones[index].key}
        await callback.answer()
        await edit(callback, render.zone_picker(zones, chosen, context.language), context)
        return
    if not chosen:
        await callback.answer(t("subscribe.nothing_chosen", context.language), show_alert=True)
        return
    async with context.services.sessions() as session, session.begin():
        await subscriptions.subscribe(
            session, update.effective_chat.id, sorted(chosen), context.language
        )
    await callback.answer()
    subscribed = render.subscribed(zones, chosen, context.language)
    await edit(
        callback, alert_render.subscribed_with_quiet_question(subscribed, context.language), context
    )


async def on_quiet_button(update: Update, context: NightSafeContext) -> None:
    callback = update.callback_query
    language = context.language
    choice = alert_render.parse_quiet_button(callback.data)
    if choice is None:
        await callback.answer(t("callback.expired", language), show_alert=True)
        return
    chat_id = update.effective_chat.id
    async with context.services.sessions() as session, session.begin():
        saved = await subscriptions.set_quiet_hours(session, chat_id, choice.start, choice.end)
        current = await subscriptions.get(session, chat_id)
    if not saved or current is None:
        await callback.answer(t("unsubscribe.not_subscribed", language), show_alert=True)
        return
    await callback.answer()
    zones = context.services.partnership.zones
    subscribed = render.subscribed(zones, frozenset(current.zones), language)
    reply = alert_render.quiet_hours_set(subscribed, choice, language)
    if _still_there(callback):
        await edit(callback, reply, context)
    else:  # the question is too old to edit: the answer comes as a new message
        await send(update, context, reply)


async def on_unsubscribe(update: Update, context: NightSafeContext) -> None:
    async with context.services.sessions() as session, session.begin():
        removed = await subscriptions.unsubscribe(session, update.effective_chat.id)
    key = "unsubscribe.done" if removed else "unsubscribe.not_subscribed"
    await send(update, context, render.Reply(t(key, context.language)))


async def on_alerts(update: Update, context: NightSafeContext) -> None:
    services = context.services
    now = services.now()
    async with services.sessions() as session:
        current = await subscriptions.get(session, update.effective_chat.id)
        active = await alerts.active(session, now)
    reply = render.active_alerts(
        # All-clear follow-ups are not alerts of their own: they ended the one they follow.
        [alert for alert in active if alert.reaches_public() and not alert.is_all_clear],
        current,
        services.partnership.zones,
        now=now,
        zone=services.zone,
        language=context.language,
    )
    await send(update, context, reply)


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.SUBSCRIBE.name, on_subscribe),
        CommandHandler(commands.UNSUBSCRIBE.name, on_unsubscribe),
        CommandHandler(commands.ALERTS.name, on_alerts),
        MessageHandler(button_filter("keyboard.alerts"), on_alerts),
        CallbackQueryHandler(on_zone_button, pattern=rf"^{SUBSCRIBE_PREFIX}\|"),
        CallbackQueryHandler(on_quiet_button, pattern=rf"^{QUIET_PREFIX}\|"),
    ]
