"""The webhook's durable inbox: an update is answered 200 only once it is recorded.

python-telegram-bot's own webhook answers Telegram as soon as an update is queued in
memory, so a crash before handling loses it. Here the webhook records the update
(keyed by update_id: Telegram's re-deliveries are dropped) and only then answers;
one worker per replica hands recorded updates to the Application one after another
and marks them handled, erasing what the person sent. After a crash, the replica
(or, once the claim's lease runs out, any replica) handles what was left.

An update carrying a location is never written down (the SPEC: a location is used to
answer and then forgotten): only its id is recorded, it is handled before Telegram
gets its answer, so until then Telegram itself keeps it and re-delivers it if we die.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application

from bot.metrics import update_kind
from bot.settings import Settings
from bot.store import inbox
from bot.store.inbox import Claim, Recorded

logger = logging.getLogger(__name__)

WallClock = Callable[[], datetime]
PRUNE_EVERY = timedelta(minutes=10)
# Keys under which Telegram puts a person's (or an inline query's) location.
_LOCATION_KEYS = frozenset({"location", "venue", "live_location"})


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def carries_location(value: Any) -> bool:
    """True if a location appears anywhere in the update (a message, a reply to one,
    an inline query's location…): such an update is never stored."""
    if isinstance(value, dict):
        return any(k in _LOCATION_KEYS or carries_location(v) for k, v in value.items())
    if isinstance(value, list):
        return any(carries_location(v) for v in value)
    return False


class Receipt(StrEnum):
    ACCEPTED = "accepted"  # recorded; handled soon
    HANDLED = "handled"  # an unstored (location) update, handled before answering
    DUPLICATE = "duplicate"  # delivered before: nothing to do
    BUSY = "busy"  # an unstored update another replica is handling: ask Telegram to retry


class InboxStoppedError(Exception):
    """The inbox is stopping: the update was not taken (Telegram will re-deliver)."""


@dataclass
class _Item:
    update_id: int
    update: Update
    stored: bool
    done: asyncio.Future[None] | None = None


class UpdateInbox:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        clock: WallClock = _wall_clock,
    ) -> None:
        self._application = application
        self._sessions = sessions
        self._replica = settings.replica_id
        self._lease = timedelta(seconds=settings.inbox_lease_seconds)
        self._keep = timedelta(hours=settings.inbox_keep_hours)
        self._clock = clock
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._queued: set[int] = set()  # ids queued or being handled here
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # --- receiving (the webhook) ----------------------------------------------------------
    async def receive(self, payload: dict[str, Any]) -> Receipt:
        """Record one update as Telegram posted it. Raises ValueError if it is no update,
        InboxStoppedError while stopping, SQLAlchemyError if the database cannot record it."""
        if self._stopping:
            raise InboxStoppedError
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise ValueError("no update_id")
        try:
            update = Update.de_json(payload, self._application.bot)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError("not an update") from error
        personal = carries_location(payload)
        async with self._sessions() as session, session.begin():
            recorded = await inbox.record(
                session,
                update_id,
                update_kind(update),
                None if personal else payload,
                self._claim(),
            )
        if recorded is Recorded.DUPLICATE:
            return Receipt.DUPLICATE
        if recorded is Recorded.BUSY:
            return Receipt.BUSY
        if not personal:
            self._enqueue(_Item(update_id, update, stored=True))
            return Receipt.ACCEPTED
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(_Item(update_id, update, stored=False, done=done))
        await done
        return Receipt.HANDLED

    # --- handling ---------------------------------------------------------------------------
    async def recover(self, *, own: bool = True) -> int:
        """Queue what was recorded and never handled, oldest first: with `own` (at start)
        this replica's own updates from before a restart; always those whose claim ran
        out (their replica is gone)."""
        async with self._sessions() as session, session.begin():
            entries = await inbox.take_unhandled(session, self._claim(), own=own, skip=self._queued)
        for entry in entries:
            update = Update.de_json(entry.payload, self._application.bot)
            self._enqueue(_Item(entry.update_id, update, stored=True))
        if entries:
            logger.info("inbox: %d recorded updates taken up again", len(entries))
        return len(entries)

    def start(self, sweep_every: float | None = None) -> None:
        every = sweep_every or max(1.0, min(self._lease.total_seconds() / 2, 30.0))
        self._tasks = [
            asyncio.create_task(self._work(), name="inbox-worker"),
            asyncio.create_task(self._sweep(every), name="inbox-sweeper"),
        ]

    async def stop(self, grace_seconds: float) -> None:
        """Take nothing new, finish what is queued (up to the grace period), then let
        other replicas have whatever is left at once."""
        self._stopping = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_seconds):
                await self._queue.join()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        left = self._queue.qsize()
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item.done is not None and not item.done.done():
                item.done.set_exception(InboxStoppedError())
        try:
            async with self._sessions() as session, session.begin():
                await inbox.release(session, self._replica, self._clock())
        except SQLAlchemyError:
            logger.warning("inbox: could not release this replica's claims")
        if left:
            logger.warning("inbox: stopped with %d updates left for a restart or a peer", left)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def _enqueue(self, item: _Item) -> None:
        self._queued.add(item.update_id)
        self._queue.put_nowait(item)

    def _claim(self) -> Claim:
        now = self._clock()
        return Claim(self._replica, now, now + self._lease)

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._handle(item)
            finally:
                self._queued.discard(item.update_id)
                self._queue.task_done()

    async def _handle(self, item: _Item) -> None:
        try:
            if item.stored and not await self._take(item.update_id):
                return  # another replica took it over (our claim had run out)
            await self._application.process_update(item.update)
            async with self._sessions() as session, session.begin():
                await inbox.mark_handled(session, item.update_id, self._clock())
        except Exception as error:
            # Left unhandled in the inbox: a restart (or a peer, after the lease) retries it.
            logger.error("inbox: update %s not completed: %s", item.update_id, type(error).__name__)
            if item.done is not None and not item.done.done():
                item.done.set_exception(error)
            return
        if item.done is not None and not item.done.done():
            item.done.set_result(None)

    async def _take(self, update_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            return await inbox.take(session, update_id, self._claim())

    async def _sweep(self, every: float) -> None:
        pruned_at = datetime.min.replace(tzinfo=UTC)
        while True:
            await asyncio.sleep(every)
            try:
                await self.recover(own=False)
                if self._clock() - pruned_at >= PRUNE_EVERY:
                    pruned_at = self._clock()
                    await self._prune()
            except SQLAlchemyError as error:
                logger.warning("inbox sweep failed: %s", type(error).__name__)

    async def _prune(self) -> None:
        async with self._sessions() as session, session.begin():
            pruned = await inbox.prune(session, self._clock() - self._keep)
        if pruned:
            logger.info("inbox: %d handled update ids pruned", pruned)
