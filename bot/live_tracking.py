"""Following a live location: which answer to edit, when, and with what.

A move is turned into its answer at once (`LiveView`: the ranking it was decided on,
and the rendered message, whose buttons carry no position). Only that is kept, and
only what is needed to decide whether the answer changed: the ranked venue ids with
their closing times, and the id of the bot's answer message. Never a position.

Edits to one chat are paced: at most one every `interval_s` (a calmer pace than
Telegram's one a second), and a change that arrives too soon waits for its turn —
newer moves replace it, so the last move is never lost (a trailing edit). The end
of sharing ("stopped") waits only for Telegram's own one-second gap.

The state lives in this process's memory: it is worth seconds to hours, and after a
restart the next live update simply starts a fresh answer message. With several
replicas, a chat's live updates must reach one replica (route by chat id) or each
replica answers on its own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import Job, JobQueue

from bot.render import Reply
from venues.nearby import NearbyAnswer

logger = logging.getLogger(__name__)

# (chat id, id of the person's live location message): one followed answer.
LiveKey = tuple[int, int]
# What decides whether an answer changed: venue ids and when each closes.
Ranking = tuple[Hashable, ...]
# Edits a message; False when the message is gone (deleted, or no longer editable).
Editor = Callable[[int, int, Reply], Awaitable[bool]]

TELEGRAM_GAP_S = 1.0
# Telegram's longest finite live period; "until I stop" sharing is followed this long.
MAX_FOLLOW_S = 24 * 3600


def ranking_of(answer: NearbyAnswer, *, outside_area: bool = False) -> Ranking:
    """The part of a nearby answer that a move must change before it is worth an edit."""
    ranked = tuple((place.venue.id, place.state.open_until) for place in answer.places)
    far = answer.nearest_open_far
    far_key = (far.venue.id, far.state.open_until) if far else None
    return (ranked, far_key, outside_area)


@dataclass(frozen=True, slots=True)
class LiveView:
    """One position's answer, as shown while following and once following has ended."""

    ranking: Ranking
    following: Reply
    stopped: Reply


class Timer(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def later(self, delay_s: float, action: Callable[[], Awaitable[None]]) -> Timer: ...


@dataclass
class _Session:
    chat_id: int
    message_id: int
    shown: LiveView
    ends_at: float  # wall-clock seconds
    pending: LiveView | None = None
    stopping: bool = False
    expiry: Timer | None = None


@dataclass
class _Chat:
    last_edit: float
    followed: set[LiveKey] = field(default_factory=set)
    queue: deque[LiveKey] = field(default_factory=deque)
    timer: Timer | None = None
    timer_due: float = 0.0
    busy: bool = False


class LiveTracker:
    def __init__(
        self,
        editor: Editor,
        scheduler: Scheduler,
        *,
        interval_s: float,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._editor = editor
        self._scheduler = scheduler
        self._interval = max(interval_s, TELEGRAM_GAP_S)
        self._max_sessions = max_sessions
        self._clock = clock
        self._wall_clock = wall_clock
        self._sessions: dict[LiveKey, _Session] = {}
        self._chats: dict[int, _Chat] = {}

    # --- what handlers ask ----------------------------------------------------------
    def following(self, key: LiveKey) -> bool:
        return key in self._sessions

    def has_room(self) -> bool:
        return len(self._sessions) < self._max_sessions

    def __len__(self) -> int:
        return len(self._sessions)

    def start(self, key: LiveKey, message_id: int, view: LiveView, ends_at: datetime) -> None:
        """Follow `key`: the bot has just sent `view` as message `message_id`."""
        self._forget(key)
        chat_id = key[0]
        session = _Session(chat_id, message_id, view, self._capped(ends_at))
        self._sessions[key] = session
        chat = self._chats.setdefault(chat_id, _Chat(last_edit=self._clock()))
        chat.followed.add(key)
        chat.last_edit = self._clock()  # the answer just sent counts as this chat's last
        self._arm_expiry(key, session)

    async def move(self, key: LiveKey, view: LiveView, ends_at: datetime) -> None:
        """A new position's answer: edit the message if (and when) it changed."""
        session = self._sessions.get(key)
        if session is None or session.stopping:
            return
        capped = self._capped(ends_at)
        if capped != session.ends_at:  # the person extended (or shortened) sharing
            session.ends_at = capped
            self._arm_expiry(key, session)
        if view.ranking == session.shown.ranking:
            session.pending = None  # back to what is shown: nothing to edit
            return
        session.pending = view
        await self._request(key, session)

    async def stop(self, key: LiveKey, view: LiveView | None = None) -> None:
        """Sharing ended: say so on the message (with the last position's answer when
        there is one), then forget everything about it."""
        session = self._sessions.get(key)
        if session is None or session.stopping:
            return
        session.stopping = True
        self._cancel(session.expiry)
        session.expiry = None
        session.pending = view or session.pending or session.shown
        await self._request(key, session)

    # --- pacing ------------------------------------------------------------------------
    async def _request(self, key: LiveKey, session: _Session) -> None:
        chat = self._chats[session.chat_id]
        if key not in chat.queue:
            chat.queue.append(key)
        await self._pump(session.chat_id)

    async def _pump(self, chat_id: int) -> None:
        """Send the chat's waiting edits that are due, one at a time; schedule the rest."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.busy:
            return  # an edit is in flight: it pumps again when it is done
        chat.busy = True
        try:
            while chat.queue:
                session = self._sessions.get(chat.queue[0])
                if session is None or not self._worth_editing(session):
                    chat.queue.popleft()
                    continue
                gap = TELEGRAM_GAP_S if session.stopping else self._interval
                due = chat.last_edit + gap
                if due > self._clock():
                    self._wake_at(chat_id, chat, due)
                    return
                await self._flush(chat, chat.queue.popleft(), session)
        finally:
            chat.busy = False
        self._drop_idle_chat(chat_id)

    def _worth_editing(self, session: _Session) -> bool:
        pending = session.pending
        if pending is None:
            return False
        if session.stopping or pending.ranking != session.shown.ranking:
            return True
        session.pending = None
        return False

    async def _flush(self, chat: _Chat, key: LiveKey, session: _Session) -> None:
        view = session.pending
        assert view is not None
        session.pending = None
        final = session.stopping  # a stop arriving during the edit is sent after it
        reply = view.stopped if final else view.following
        chat.last_edit = self._clock()
        alive = False
        try:
            alive = await self._editor(session.chat_id, session.message_id, reply)
        finally:
            # Measured from when the edit was answered: the next one is never early.
            chat.last_edit = self._clock()
            if final or not alive:
                self._forget(key)
            else:
                session.shown = view

    def _wake_at(self, chat_id: int, chat: _Chat, due: float) -> None:
        if chat.timer is not None and chat.timer_due <= due:
            return
        self._cancel(chat.timer)
        chat.timer_due = due
        chat.timer = self._scheduler.later(due - self._clock(), lambda: self._woken(chat_id))

    async def _woken(self, chat_id: int) -> None:
        chat = self._chats.get(chat_id)
        if chat is None:
            return
        chat.timer = None
        try:
            await self._pump(chat_id)
        except Exception:
            logger.warning("a live answer could not be edited", exc_info=True)

    # --- the end of sharing ------------------------------------------------------------
    def _capped(self, ends_at: datetime) -> float:
        return min(ends_at.timestamp(), self._wall_clock() + MAX_FOLLOW_S)

    def _arm_expiry(self, key: LiveKey, session: _Session) -> None:
        self._cancel(session.expiry)
        delay = max(session.ends_at - self._wall_clock(), 0.0)
        session.expiry = self._scheduler.later(delay, lambda: self._expired(key, session))

    async def _expired(self, key: LiveKey, session: _Session) -> None:
        if self._sessions.get(key) is not session:
            return
        session.expiry = None
        try:
            await self.stop(key)
        except Exception:
            logger.warning("a live answer could not be marked as stopped", exc_info=True)

    def _forget(self, key: LiveKey) -> None:
        session = self._sessions.pop(key, None)
        if session is not None:
            self._cancel(session.expiry)
            chat = self._chats.get(session.chat_id)
            if chat is not None:
                chat.followed.discard(key)
            self._drop_idle_chat(session.chat_id)

    def _drop_idle_chat(self, chat_id: int) -> None:
        chat = self._chats.get(chat_id)
        if chat is None or chat.busy or chat.queue or chat.followed:
            return
        self._cancel(chat.timer)
        del self._chats[chat_id]

    @staticmethod
    def _cancel(timer: Timer | None) -> None:
        if timer is not None:
            timer.cancel()


class _JobTimer:
    def __init__(self, job: Job[Any]) -> None:
        self._job = job

    def cancel(self) -> None:
        # A job that already ran has left the scheduler: nothing to cancel.
        with contextlib.suppress(JobLookupError):
            self._job.schedule_removal()


class JobQueueScheduler:
    """Timers on python-telegram-bot's job queue: dropped, not run, when the bot stops."""

    def __init__(self, job_queue: JobQueue[Any]) -> None:
        self._job_queue = job_queue

    def later(self, delay_s: float, action: Callable[[], Awaitable[None]]) -> Timer:
        async def run(_context: object) -> None:
            await action()

        return _JobTimer(self._job_queue.run_once(run, when=max(delay_s, 0.0), name="live"))
