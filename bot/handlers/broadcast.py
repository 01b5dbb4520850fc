"""/broadcast (a guided chat), /broadcasts, and the buttons that cancel a broadcast in
progress or send its all clear. Partnership staff only, checked on every step and
every button press (button data can be forged).

Sending writes the alert and one outbox row per recipient in one transaction, then
wakes the delivery worker (`bot.delivery`); nothing is sent from here.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import commands, delivery
from bot.access import require_partnership_staff
from bot.context import NightSafeContext
from bot.conversation import END, STAY, Conversation
from bot.handlers.common import edit, send
from bot.render import Reply
from bot.render import broadcast as render
from bot.render.broadcast import ALERT_MAX_CHARS, DraftButton, PaidEstimate
from bot.store import alerts, audit, outbox
from bot.store.alerts import Alert, Audience, Priority
from bot.texts import Html, t

CONVERSATION_NAME = "broadcast"
ALL_CLEAR_LASTS = timedelta(hours=12)  # people in quiet hours get it when they wake


class Step(StrEnum):
    TEXT = "text"
    AUDIENCE = "audience"
    ZONES = "zones"
    PRIORITY = "priority"
    EXPIRY = "expiry"
    CONFIRM = "confirm"


# --- the draft -------------------------------------------------------------------------


def _draft(context: NightSafeContext, user_id: int) -> Alert:
    """The alert as chosen so far (defaults for what is not chosen yet)."""
    data = context.conversation.data
    services = context.services
    now = services.now()
    return outbox.draft_alert(
        text=data["text"],
        audience=Audience(data.get("audience", Audience.BOTH.value)),
        zones=data.get("zones", []),
        priority=Priority(data.get("priority", Priority.NORMAL.value)),
        created_by=user_id,
        now=now,
        expires_at=alerts.expiry_for(data.get("expiry", "6h"), now, services.zone),
    )


def _message(context: NightSafeContext, alert: Alert) -> Html:
    services = context.services
    return render.alert_message(
        alert,
        partnership=services.partnership.short_name,
        zones=services.partnership.zones,
        zone_info=services.zone,
        language=context.language,
    )


async def _send_all(update: Update, context: NightSafeContext, replies: list[Reply]) -> None:
    for reply in replies:
        await send(update, context, reply)


async def _answered(
    update: Update, context: NightSafeContext, question: Reply, choice: str
) -> None:
    """Leave the answered question in the chat with the choice made, buttons gone."""
    await edit(update.callback_query, render.answered(question, choice, context.language), context)


# --- steps ---------------------------------------------------------------------------------


async def on_start(update: Update, context: NightSafeContext) -> str:
    if not await require_partnership_staff(update, context):
        return END
    context.conversation.data.clear()
    await send(update, context, render.ask_text(ALERT_MAX_CHARS, context.language))
    return Step.TEXT


async def on_text(update: Update, context: NightSafeContext) -> str:
    if not await require_partnership_staff(update, context):
        return END
    text = (update.effective_message.text or "").strip()
    if not text:
        await send(update, context, Reply(t("broadcast.text_expected", context.language)))
        return STAY
    if len(text) > ALERT_MAX_CHARS:
        await send(
            update, context, render.text_too_long(len(text), ALERT_MAX_CHARS, context.language)
        )
        return STAY
    context.conversation.data["text"] = text
    alert = _draft(context, update.effective_user.id)
    replies = render.preview(_message(context, alert), context.language)
    await _send_all(update, context, [*replies, render.audience_question(context.language)])
    return Step.AUDIENCE


async def _pressed(update: Update, context: NightSafeContext, step: str) -> DraftButton | str:
    """The button pressed at this step, or the state to return (refused, forged, cancel)."""
    query = update.callback_query
    if not await require_partnership_staff(update, context):
        return END
    button = render.parse_draft_button(query.data)
    if button is None or button.step not in (step, "x"):
        await query.answer(t("callback.expired", context.language), show_alert=True)
        return STAY
    if button.step == "x":
        await query.answer()
        await edit(query, Reply(t("broadcast.cancelled_draft", context.language)), context)
        return END
    return button


async def on_audience(update: Update, context: NightSafeContext) -> str:
    button = await _pressed(update, context, "a")
    if isinstance(button, str):
        return button
    language = context.language
    context.conversation.data["audience"] = button.choice
    await update.callback_query.answer()
    label = t(f"broadcast.audience.{button.choice}", language)
    await _answered(update, context, render.audience_question(language), label)
    chosen = context.conversation.data.setdefault("zones", [])
    await send(
        update, context, render.zone_question(context.services.partnership.zones, chosen, language)
    )
    return Step.ZONES


async def on_zones(update: Update, context: NightSafeContext) -> str:
    button = await _pressed(update, context, "z")
    if isinstance(button, str):
        return button
    query, language = update.callback_query, context.language
    zones = context.services.partnership.zones
    offered = render.offered_zones(zones)
    chosen: list[str] = context.conversation.data.setdefault("zones", [])
    if button.choice.isdigit():
        index = int(button.choice)
        if index >= len(offered):
            await query.answer(t("callback.expired", language), show_alert=True)
            return STAY
        key = offered[index].key
        context.conversation.data["zones"] = (
            [k for k in chosen if k != key] if key in chosen else [*chosen, key]
        )
        await query.answer()
        await edit(
            query,
            render.zone_question(zones, context.conversation.data["zones"], language),
            context,
        )
        return STAY
    if button.choice == "all":
        context.conversation.data["zones"] = []
    elif not chosen:
        await query.answer(t("broadcast.zones.nothing", language), show_alert=True)
        return STAY
    await query.answer()
    where = render.zone_names(zones, context.conversation.data["zones"], language)
    await _answered(update, context, Reply(t("broadcast.ask_zones", language)), where)
    await send(update, context, render.priority_question(language))
    return Step.PRIORITY


async def on_priority(update: Update, context: NightSafeContext) -> str:
    button = await _pressed(update, context, "p")
    if isinstance(button, str):
        return button
    language = context.language
    context.conversation.data["priority"] = button.choice
    await update.callback_query.answer()
    label = t(f"broadcast.priority.{button.choice}", language)
    await _answered(update, context, render.priority_question(language), label)
    await send(update, context, render.expiry_question(language))
    return Step.EXPIRY


async def _paid_estimate(context: NightSafeContext, people: int) -> PaidEstimate | None:
    settings = context.services.settings
    if not settings.paid_broadcasts:
        return None
    async with context.services.sessions() as session:
        sent = await outbox.paid_messages_sent(session)
    budget = settings.paid_budget_stars
    cost = settings.stars_per_paid_message
    return PaidEstimate(stars=people * cost, left=max(budget - sent * cost, 0.0), budget=budget)


async def _confirmation(update: Update, context: NightSafeContext) -> Reply:
    services = context.services
    alert = _draft(context, update.effective_user.id)
    async with services.sessions() as session:
        recipients = await outbox.plan(
            session, alert, services.partnership.zones, services.now(), services.zone
        )
    summary = outbox.summarise(recipients, alert.expires_at)
    return render.confirmation(
        alert,
        summary,
        zones=services.partnership.zones,
        zone_info=services.zone,
        channel=services.settings.alert_channel,
        paid=await _paid_estimate(context, summary.reached),
        language=context.language,
    )


async def on_expiry(update: Update, context: NightSafeContext) -> str:
    button = await _pressed(update, context, "e")
    if isinstance(button, str):
        return button
    language = context.language
    context.conversation.data["expiry"] = button.choice
    await update.callback_query.answer()
    label = t(f"broadcast.expiry.{button.choice}", language)
    await _answered(update, context, render.expiry_question(language), label)
    alert = _draft(context, update.effective_user.id)
    replies = render.preview(_message(context, alert), language)
    await _send_all(update, context, [*replies, await _confirmation(update, context)])
    return Step.CONFIRM


async def on_send(update: Update, context: NightSafeContext) -> str:
    button = await _pressed(update, context, "s")
    if isinstance(button, str):
        return button
    query, language, services = update.callback_query, context.language, context.services
    paid = button.choice == "paid"
    if paid and not services.settings.paid_broadcasts:
        await query.answer(t("broadcast.paid_off", language), show_alert=True)
        return STAY
    user_id, now = update.effective_user.id, services.now()
    draft = _draft(context, user_id)
    async with services.sessions() as session, session.begin():
        recipients = await outbox.plan(
            session, draft, services.partnership.zones, now, services.zone
        )
        summary = outbox.summarise(recipients, draft.expires_at)
        estimate = await _paid_estimate(context, summary.reached) if paid else None
        if estimate is not None and not estimate.affordable:
            created = None
        else:
            created = await outbox.create_broadcast(
                session,
                draft,
                recipients,
                staff_chat_id=update.effective_chat.id,
                staff_language=language,
                progress_message_id=query.message.message_id if query.message else None,
                paid=paid,
                mirror_to_channel=bool(services.settings.alert_channel),
                now=now,
            )
            await audit.record(
                session,
                actor_id=user_id,
                action="broadcast",
                target_type="alert",
                target_id=created.id,
                at=now,
                detail={
                    "audience": draft.audience.value,
                    "zones": list(draft.zones),
                    "priority": draft.priority.value,
                    "recipients": summary.reached,
                    "paid": paid,
                },
            )
    if created is None:
        assert estimate is not None
        await query.answer()
        await send(update, context, render.paid_refused(estimate, language))
        return STAY
    await query.answer()
    await edit(query, render.sending_started(created.id, summary.reached, language), context)
    delivery.wake(context.application, sent_to=update.effective_chat.id)
    return END


async def on_cancel(update: Update, context: NightSafeContext) -> str:
    await send(update, context, Reply(t("broadcast.cancelled_draft", context.language)))
    return END


async def on_unexpected(update: Update, context: NightSafeContext, state: str) -> None:
    language = context.language
    if update.callback_query is not None:
        await update.callback_query.answer(t("broadcast.use_buttons", language), show_alert=True)
        return
    key = "broadcast.text_expected" if state == Step.TEXT else "broadcast.use_buttons"
    await send(update, context, Reply(t(key, language)))


async def on_timeout(context: NightSafeContext, chat_id: int) -> None:
    await context.bot.send_message(chat_id, t("broadcast.timed_out"))


# --- broadcasts already sent ------------------------------------------------------------


async def on_list(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    services = context.services
    async with services.sessions() as session:
        recent = await outbox.recent(session, services.now())
    await send(
        update,
        context,
        render.broadcast_list(recent, zone_info=services.zone, language=context.language),
    )


async def on_manage(update: Update, context: NightSafeContext) -> str:
    """Cancel sending, or ask for / send an all clear. Also a fallback of the /broadcast
    chat, so these buttons work while staff are writing another alert."""
    query = update.callback_query
    if not await require_partnership_staff(update, context):
        return STAY
    button = render.parse_manage_button(query.data)
    if button is None:
        await query.answer(t("callback.expired", context.language), show_alert=True)
        return STAY
    if button.action == "stop":
        await _stop_sending(update, context, button.alert_id)
    elif button.action == "ac":
        await _ask_all_clear(update, context, button.alert_id)
    else:
        await _send_all_clear(update, context, button.alert_id)
    return STAY


async def _stop_sending(update: Update, context: NightSafeContext, alert_id: int) -> None:
    services, language = context.services, context.language
    now = services.now()
    async with services.sessions() as session, session.begin():
        dropped = await outbox.cancel_broadcast(session, alert_id, now)
        if dropped is not None:
            await audit.record(
                session,
                actor_id=update.effective_user.id,
                action="broadcast_cancel",
                target_type="alert",
                target_id=alert_id,
                at=now,
                detail={"dropped": dropped},
            )
    if dropped is None:
        text = t("broadcast.not_running", language, number=alert_id)
        await update.callback_query.answer(text, show_alert=True)
        return
    await update.callback_query.answer()
    await send(update, context, render.stopped(alert_id, dropped, language))
    delivery.wake(context.application, sent_to=update.effective_chat.id)


async def _ask_all_clear(update: Update, context: NightSafeContext, alert_id: int) -> None:
    services, language = context.services, context.language
    async with services.sessions() as session:
        found = await outbox.get_broadcast(session, alert_id, services.now())
        audience = await outbox.all_clear_audience(session, alert_id) if found else []
    query = update.callback_query
    if found is None:
        await query.answer(t("broadcast.unknown", language), show_alert=True)
    elif found.alert.is_all_clear or found.has_all_clear:
        await query.answer(
            t("broadcast.all_clear_exists", language, number=alert_id), show_alert=True
        )
    elif not audience:
        await query.answer(
            t("broadcast.all_clear_nobody", language, number=alert_id), show_alert=True
        )
    else:
        await query.answer()
        people = sum(r.kind is not outbox.RecipientKind.CHANNEL for r in audience)
        await send(update, context, render.all_clear_question(alert_id, people, language))


async def _send_all_clear(update: Update, context: NightSafeContext, alert_id: int) -> None:
    services, language, query = context.services, context.language, update.callback_query
    user_id, now = update.effective_user.id, services.now()
    async with services.sessions() as session, session.begin():
        original = await alerts.get(session, alert_id)
        created = None
        if original is not None:
            created = await outbox.create_all_clear(
                session,
                original,
                created_by=user_id,
                staff_chat_id=update.effective_chat.id,
                staff_language=language,
                progress_message_id=query.message.message_id if query.message else None,
                now=now,
                expires_at=now + ALL_CLEAR_LASTS,
                zone_info=services.zone,
            )
        if created is not None:
            await audit.record(
                session,
                actor_id=user_id,
                action="broadcast_all_clear",
                target_type="alert",
                target_id=alert_id,
                at=now,
                detail={"all_clear": created[0].id, "recipients": created[1]},
            )
    if created is None:
        await query.answer(
            t("broadcast.all_clear_exists", language, number=alert_id), show_alert=True
        )
        return
    alert, people = created
    await query.answer()
    await edit(query, render.sending_started(alert.id, people, language), context)
    delivery.wake(context.application, sent_to=update.effective_chat.id)


async def on_stale_draft_button(update: Update, context: NightSafeContext) -> None:
    """A /broadcast button pressed when no such chat is going on (old, or forged)."""
    if not await require_partnership_staff(update, context):
        return
    await update.callback_query.answer(t("callback.expired", context.language), show_alert=True)


# --- wiring -----------------------------------------------------------------------------

_DRAFT_BUTTON = r"^bc\|"
_MANAGE_BUTTON = r"^bx\|"

CONVERSATION = Conversation(
    name=CONVERSATION_NAME,
    entry_points=[CommandHandler(commands.BROADCAST.name, on_start)],
    states={
        Step.TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, on_text)],
        Step.AUDIENCE: [CallbackQueryHandler(on_audience, pattern=_DRAFT_BUTTON)],
        Step.ZONES: [CallbackQueryHandler(on_zones, pattern=_DRAFT_BUTTON)],
        Step.PRIORITY: [CallbackQueryHandler(on_priority, pattern=_DRAFT_BUTTON)],
        Step.EXPIRY: [CallbackQueryHandler(on_expiry, pattern=_DRAFT_BUTTON)],
        Step.CONFIRM: [CallbackQueryHandler(on_send, pattern=_DRAFT_BUTTON)],
    },
    fallbacks=[
        CommandHandler(commands.CANCEL.name, on_cancel),
        CallbackQueryHandler(on_manage, pattern=_MANAGE_BUTTON),
    ],
    on_unexpected=on_unexpected,
    on_timeout=on_timeout,
    timeout=timedelta(minutes=30),
)


def handlers() -> list[BaseHandler[Update, NightSafeContext, Any]]:
    return [
        CommandHandler(commands.BROADCASTS.name, on_list),
        CallbackQueryHandler(on_manage, pattern=_MANAGE_BUTTON),
        CallbackQueryHandler(on_stale_draft_button, pattern=_DRAFT_BUTTON),
    ]
