"""Live location: the nearby answer follows the person while they share it.

The first live location message is answered here (ahead of locate's handler, which
answers ordinary locations) so the answer's message id can be followed; each
`edited_message` with a new position is turned into its answer at once and handed to
the tracker, which edits the message only when the ranking or a closing time changed,
and no faster than the chat's pace allows. Positions are used and dropped, never kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, BaseHandler, MessageHandler, filters

from bot import render
from bot.callbacks import NearbyQuery, valid_coordinates
from bot.context import NightSafeContext
from bot.handlers.common import send
from bot.handlers.locate import nearby_answer
from bot.live_tracking import (
    Editor,
    JobQueueScheduler,
    LiveKey,
    LiveTracker,
    LiveView,
    ranking_of,
)
from bot.render import live as render_live
from bot.settings import Settings
from bot.texts import t
from venues.model import Point

# Edit failures that mean the answer message is gone for good.
_GONE = ("not found", "can't be edited", "message_id_invalid")


class _LiveLocation(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return message.location is not None and bool(message.location.live_period)


LIVE_LOCATION = _LiveLocation(name="LiveLocation")


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _ends_at(message: Message) -> datetime | None:
    """When this live location stops by itself (None: not live any more)."""
    location = message.location
    if location is None or not location.live_period:
        return None
    # "Until I stop it" (0x7FFFFFFF seconds) ends decades away; the tracker caps it.
    ends = message.date + timedelta(seconds=_seconds(location.live_period))
    if message.edit_date is not None and message.edit_date >= ends:
        return None
    return ends


def _point(message: Message) -> Point | None:
    location = message.location
    if location is None or not valid_coordinates(location.latitude, location.longitude):
        return None
    return Point(location.latitude, location.longitude)


async def live_view(context: NightSafeContext, point: Point) -> LiveView | None:
    """The answer for one position, rendered for following, and what decides a change."""
    found = await nearby_answer(context, NearbyQuery(point=point))
    if found is None:
        return None
    answer, reply = found
    services = context.services
    ranking = ranking_of(answer, outside_area=not services.settings.area.contains(point))
    language = context.language
    return LiveView(
        ranking, render_live.following(reply, language), render_live.stopped(reply, language)
    )


class LiveLocations:
    """The handlers, around the one tracker of this application."""

    def __init__(self, tracker: LiveTracker) -> None:
        self.tracker = tracker

    async def on_start(self, update: Update, context: NightSafeContext) -> None:
        message = update.effective_message
        point = _point(message) if message else None
        if message is None or point is None:
            await send(update, context, render.Reply(t("places.bad_location", context.language)))
            return
        await self._answer(update, context, message, point)

    async def on_move(self, update: Update, context: NightSafeContext) -> None:
        message = update.edited_message
        if message is None or message.location is None:
            return
        key: LiveKey = (message.chat_id, message.message_id)
        point, ends_at = _point(message), _ends_at(message)
        if ends_at is None:  # the final edit: sharing stopped
            if self.tracker.following(key):
                view = await live_view(context, point) if point else None
                await self.tracker.stop(key, view)
            return
        if point is None:
            return  # a garbled move: the next one will do
        if not self.tracker.following(key):
            # Not followed here (the bot restarted, or the answer was deleted): a fresh answer.
            await self._answer(update, context, message, point)
            return
        view = await live_view(context, point)
        if view is not None:
            await self.tracker.move(key, view, ends_at)

    async def _answer(
        self, update: Update, context: NightSafeContext, message: Message, point: Point
    ) -> None:
        ends_at = _ends_at(message)
        if ends_at is None or not self.tracker.has_room():
            reply = await nearby_answer(context, NearbyQuery(point=point))
            if reply is not None:
                await send(update, context, reply)
            return
        view = await live_view(context, point)
        if view is None:
            return
        sent = await send(update, context, view.following)
        if sent is not None:
            key = (message.chat_id, message.message_id)
            self.tracker.start(key, sent.message_id, view, ends_at)


def editor(bot: Bot) -> Editor:
    """Edits an answer; False when it is gone (deleted by the person, or too old)."""

    async def edit(chat_id: int, message_id: int, reply: render.Reply) -> bool:
        markup = reply.keyboard if isinstance(reply.keyboard, InlineKeyboardMarkup) else None
        try:
            await bot.edit_message_text(
                reply.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except BadRequest as error:
            description = str(error).lower()
            if "not modified" in description:
                return True
            if any(reason in description for reason in _GONE):
                return False
            raise
        return True

    return edit


def tracker_for(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> LiveTracker:
    if application.job_queue is None:
        raise RuntimeError("live locations need python-telegram-bot's job queue")
    return LiveTracker(
        editor(application.bot),
        JobQueueScheduler(application.job_queue),
        interval_s=settings.live_edit_seconds,
        max_sessions=settings.live_max_sessions,
    )


def handlers(tracker: LiveTracker) -> list[BaseHandler[Update, NightSafeContext, None]]:
    live = LiveLocations(tracker)
    return [
        MessageHandler(filters.UpdateType.MESSAGE & LIVE_LOCATION, live.on_start),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, live.on_move),
    ]
