"""The alert outbox worker: sends what `bot.store.outbox` holds, at Telegram's pace.

Pacing, in one place for the whole sender:
- a send window (`bot.pacing`): at most `rate` sends in any second. A send counts from
  the moment it starts until one second after its answer came back, so Telegram's own
  window (which sees the request somewhere in between) never holds more than `rate`.
  It lies within the process's budget of Telegram's 30 a second, shared with the
  interactive bot: people's answers take their room first, alerts the rest;
- one flood gate: a 429 closes it for retry_after — all sending pauses, and other
  replicas honour the pause through the lease row — then the same message goes again,
  which is not an attempt and never a failure;
- per chat: one message a second, counted from the answer to the previous one.

Durability: rows are claimed (`sending`) just before their HTTP calls, in a transaction
that first renews the sending lease (so a replica that lost it cannot claim), and only
as many as may start at once. Outcomes are written as they come back; a 403 unsubscribes
the person in the same transaction. A worker taking the lease turns rows another worker
left `sending` into `ambiguous`: maybe delivered, so not sent again.

This worker has its own plain `telegram.Bot` without a rate limiter. The Application's
bot keeps `ChatPacedRateLimiter` (AIORateLimiter): right for interactive replies, but
it retries 429s itself, has no per-chat pacing suited to a mass send and no shared
flood gate — so a broadcast must not go through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.aiohttp_request import AiohttpRequest
from bot.db import SessionFactory
from bot.pacing import (
    WAITERS_FIRST_SECONDS,
    Batch,
    ChatSpacing,
    FloodGate,
    Monotonic,
    SendWindow,
)
from bot.ratelimit import ChatPacer
from bot.render import broadcast as render
from bot.render.simple import plain
from bot.settings import Settings
from bot.store import outbox
from bot.store.alerts import Alert
from bot.store.alerts import get as get_alert
from bot.store.outbox import Broadcast, BroadcastStatus, Claimed, OutboxState, Outcome
from bot.store.outbox import RecipientKind as Kind
from venues.partnership import Partnership

logger = logging.getLogger(__name__)
T = TypeVar("T")
Clock = Callable[[], datetime]

GATHER_SECONDS = 0.05  # wait this long at most to send a burst whole
CLAIM_SECONDS_WEIGHT = 0.2  # of the latest claim in the running estimate of a claim's time
HOUSEKEEPING_SECONDS = 0.5  # progress and finishing checks while a broadcast is on


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- what a failed send means ---------------------------------------------------------


class Verdict(Enum):
    FLOOD = "flood"  # 429: wait for the gate, send the same message again
    RETRY = "retry"  # network trouble or 5xx: try again later, a bounded number of times
    BLOCKED = "blocked"
    NOT_FOUND = "not_found"
    FAILED = "failed"
    AMBIGUOUS = "ambiguous"


# Timeouts before the request left: nothing was sent, so trying again is safe.
_NOT_SENT_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout, aiohttp.ConnectionTimeoutError)


def classify(error: TelegramError) -> Verdict:
    """Map a failed send to what to do with its row."""
    if isinstance(error, RetryAfter):
        return Verdict.FLOOD
    if isinstance(error, Forbidden):
        return Verdict.BLOCKED
    if isinstance(error, BadRequest):
        return Verdict.NOT_FOUND if "chat not found" in error.message.lower() else Verdict.FAILED
    if isinstance(error, TimedOut):
        if (
            isinstance(error.__cause__, _NOT_SENT_TIMEOUTS)
            or "pool timeout" in error.message.lower()
        ):
            return Verdict.RETRY
        return Verdict.AMBIGUOUS  # the request went out; the answer did not come back
    if isinstance(error, NetworkError):
        return Verdict.RETRY  # connection errors and 5xx
    return Verdict.FAILED


def _refused(failure: TelegramError | None) -> bool:
    """Telegram turned the request away without sending anything (a 429, a blocked or
    unknown chat): it does not count against the rate."""
    return isinstance(failure, RetryAfter | Forbidden) or (
        isinstance(failure, BadRequest) and classify(failure) is Verdict.NOT_FOUND
    )


def retry_after_seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


_STATE_OF = {
    Verdict.BLOCKED: OutboxState.BLOCKED,
    Verdict.NOT_FOUND: OutboxState.NOT_FOUND,
    Verdict.FAILED: OutboxState.FAILED,
    Verdict.AMBIGUOUS: OutboxState.AMBIGUOUS,
    Verdict.RETRY: OutboxState.FAILED,  # retries used up
}


def channel_chat(value: str | None) -> int | str | None:
    """The mirror channel setting: "@name" stays a name, "-100…" becomes an id."""
    if not value or not value.strip():
        return None
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else value


# --- the worker ------------------------------------------------------------------------


@dataclass
class _StaffMessage:
    last_sent: float  # monotonic: the last edit (or when first seen)
    text: str = ""


class _StoppingError(Exception):
    """The worker is stopping while a send waits: the row goes back to pending."""


class DeliveryWorker:
    """Sends the outbox while it holds the lease; started and stopped with the bot."""

    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        partnership: Partnership,
        *,
        clock: Clock = utc_now,
        wall_clock: Clock = utc_now,
        monotonic: Monotonic = time.monotonic,
        budget: SendWindow | None = None,
        chat_pacer: ChatPacer | None = None,
    ) -> None:
        """`budget`: the process's overall send window, and `chat_pacer` its per-chat
        pace, both shared with the interactive bot (staff get messages from both)."""
        self.settings = settings
        self.owner = f"{socket.gethostname()[:16]}-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self._sessions = sessions
        self._partnership = partnership
        self._zone = ZoneInfo(settings.timezone)
        self._clock = clock  # the bot's time: expiry, quiet hours
        self._wall = wall_clock  # real time: the lease, durations
        self._monotonic = monotonic
        self._free = SendWindow(settings.global_send_rate, monotonic, within=budget)
        self._paid = SendWindow(settings.paid_send_rate, monotonic)
        self._gate = FloodGate(monotonic)
        self._claim_seconds = 0.005  # how long a claim takes, running estimate
        self._spacing = ChatSpacing(settings.alert_per_chat_seconds, monotonic)
        self._chat_pacer = chat_pacer
        self._channel = channel_chat(settings.alert_channel)
        self._bot = self._make_bot(settings)
        self._write_turn = asyncio.Lock()
        self._idling = False  # the claim loop found nothing to send
        # Work may be queued that housekeeping has not seen yet (queued here, or rows
        # left by a previous holder): an idle sender looks once more.
        self._maybe_queued = True
        self._wake = asyncio.Event()
        self._look_around = asyncio.Event()  # housekeeping: look now, not at the interval
        self._stopping = asyncio.Event()
        self._sends: set[asyncio.Task[None]] = set()
        self._outcomes: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self._alerts: dict[int, Alert] = {}
        self._started: set[int] = set()  # broadcasts whose first claim is recorded
        self._texts: dict[tuple[int, str, bool, bool], str] = {}
        self._staff_messages: dict[int, _StaffMessage] = {}
        self._final_edits: dict[int, Broadcast] = {}  # reported; progress not yet final
        self._holding = False
        self._renewed_at = -math.inf
        self._skipped_at = -math.inf
        self._watching = False  # the last housekeeping look found broadcasts to watch
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction. The worker's own writes take turns: SQLite has one
        writer, and its busy-waiting (sleeps of up to 100 ms) would stall the sender."""
        async with self._write_turn, self._sessions() as session, session.begin():
            yield session

    @staticmethod
    def _make_bot(settings: Settings) -> Bot:
        assert settings.telegram_bot_token is not None
        base_url = settings.telegram_api_base_url
        head, _, tail = base_url.rstrip("/").rpartition("/")
        request = AiohttpRequest(
            connections=settings.alert_concurrency + 4,
            read_timeout=settings.alert_send_timeout,
            connect_timeout=min(5.0, settings.alert_send_timeout),
        )
        return Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=base_url,
            base_file_url=f"{head}/file/{tail}",
            request=request,
        )

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="alert-delivery")
        self._task.add_done_callback(_log_crash)

    def wake(self) -> None:
        """New work was queued (or a clock moved): look now, not at the next poll."""
        self._maybe_queued = True
        self._wake.set()

    def note_sent(self, chat_id: int) -> None:
        self._spacing.note_sent(chat_id)

    async def stop(self) -> None:
        """Finish the sends in flight, record them, give up the lease."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    @property
    def holding_lease(self) -> bool:
        return self._holding

    async def run(self) -> None:
        recorder = asyncio.create_task(self._record_outcomes(), name="alert-outcomes")
        housekeeper = asyncio.create_task(self._housekeeping(), name="alert-housekeeping")
        try:
            await self._initialise()
            while not self._stopping.is_set():
                try:
                    busy = await self._step()
                except Exception:
                    logger.exception("the delivery worker's step failed; trying again shortly")
                    busy = False
                if not busy and not self._idling:
                    self._look_around.set()  # just ran out of work: maybe a broadcast is done
                self._idling = not busy
                if not busy:
                    await self._idle()
        finally:
            housekeeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeper
            await self._drain_sends()
            await self._outcomes.put(None)
            await recorder
            await self._release()
            with contextlib.suppress(Exception):
                await self._bot.shutdown()

    async def _initialise(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._bot.initialize()
                async with self._writing() as session:
                    await outbox.ensure_lease(session, self._wall())
                return
            except Exception:
                logger.warning("the delivery worker could not start yet; retrying")
                await self._sleep(self.settings.alert_poll_seconds)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when work arrives or the worker stops (a wake
        since the last step began counts: see `_step`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(seconds, 0.0))

    async def _idle(self) -> None:
        wait = self.settings.alert_poll_seconds
        if self._sends:
            wait = min(wait, HOUSEKEEPING_SECONDS)
        spacing = self._spacing.next_free_in()
        if spacing is not None:
            wait = min(wait, spacing)
        await self._sleep(wait)

    # --- the lease --------------------------------------------------------------------
    async def _hold_lease(self, *, renew_after: float = 2 / 3) -> bool:
        """Hold the lease: take it when free, renew it once `renew_after` of its time
        has passed. Housekeeping renews at a third, off the sending path; the sending
        path only if that fell behind."""
        ttl = self.settings.alert_lease_seconds
        if self._holding and self._monotonic() - self._renewed_at < ttl * renew_after:
            return True
        wall = self._wall()
        async with self._writing() as session:
            held = await outbox.take_lease(session, self.owner, wall, wall + timedelta(seconds=ttl))
            orphans, paused = 0, None
            if held and not self._holding:
                orphans = await outbox.settle_orphans(
                    session, self.owner, wall, resend=self.settings.alert_resend_in_flight
                )
                paused = await outbox.paused_until(session)
        if held and not self._holding:
            self._maybe_queued = True  # the last holder may have left rows queued
            logger.info("took the sending lease; %d sends left in flight settled", orphans)
            if paused is not None and paused > wall:
                self._gate.close_for((paused - wall).total_seconds())
        self._holding = held
        if held:
            self._renewed_at = self._monotonic()
        return held

    async def _release(self) -> None:
        if not self._holding:
            return
        # Let the next holder start only once our last second of sends has passed.
        last = self._free.last_answer()
        spare = 0.0 if last is None else max(0.0, last + self._free.period - self._monotonic())
        try:
            async with self._writing() as session:
                await outbox.release_lease(
                    session, self.owner, self._wall() + timedelta(seconds=spare)
                )
        except Exception:
            logger.warning("could not release the sending lease; it will expire")
        self._holding = False

    # --- claiming and sending ---------------------------------------------------------
    async def _step(self) -> bool:
        """One round: hold the lease, claim what may go now, start the sends. True
        when there may be more to do at once."""
        self._wake.clear()
        if not await self._hold_lease():
            return False
        if (remaining := self._gate.remaining()) > 0:
            await self._sleep(remaining)
            return True
        if self._idling and not await self._anything_queued():
            return False  # still nothing queued: no claim (a write transaction) this time
        slots = self.settings.alert_concurrency - len(self._sends)
        if slots <= 0:
            await self._sleep(HOUSEKEEPING_SECONDS)  # a finished send wakes it
            return True
        # Staff messages waiting for the window go first (a progress edit, the report).
        free = min(self._free.available() - self._free.waiting, slots)
        paid = min(self._paid.available(), slots) if self.settings.paid_broadcasts else 0
        if paid <= 0 and free < self._free.limit <= slots and not self._free.waiting:
            # All the room is back in a moment: send one burst, not pieces (whole bursts
            # a second apart let a 429's pause overlap the wait for the window), claimed
            # while the last second ends so that it goes the moment it is over.
            whole = self._free.whole_in()
            if whole is not None and 0 < whole <= GATHER_SECONDS:
                if whole > self._claim_seconds:
                    await self._sleep(whole - self._claim_seconds)
                    return True
                return await self._claim_ahead(self._free.limit)
        if free <= 0 and paid <= 0:
            await self._wait_for_room()
            return True
        # Reserve the room now: staff messages may use the window while we claim.
        batches = {False: self._free.open(free), True: self._paid.open(paid)}
        claimed: list[Claimed] = []
        try:
            claimed = await self._claim(free, paid)
        finally:
            used_paid = sum(1 for row in claimed if self._window(row) is self._paid)
            self._free.give_back(batches[False], free - (len(claimed) - used_paid))
            self._paid.give_back(batches[True], paid - used_paid)
        for row in claimed:
            self._launch(row, batches[self._window(row) is self._paid])
        return bool(claimed)

    async def _anything_queued(self) -> bool:
        """Whether an idle sender should claim. Rows wait only in a broadcast still
        sending, which housekeeping watches (and then wakes the sender): while it watches
        none and nothing was queued here, an idle replica makes no read of its own."""
        if not (self._maybe_queued or self._watching):
            return False
        self._maybe_queued = False
        async with self._sessions() as session:
            return await outbox.any_pending(session)

    async def _claim_ahead(self, count: int) -> bool:
        """Claim a burst before its room is back, then send it as soon as it is: the
        claim's time is not added to every second. Claimed rows wait a few ms at most;
        those the room is not back for by then go back in the queue."""
        claimed = await self._claim(count, 0)
        if whole := self._free.whole_in():  # the last second's sends count a moment more
            await asyncio.sleep(min(whole, GATHER_SECONDS))
        room = min(len(claimed), self._free.available())
        batch = self._free.open(room)
        for row in claimed[:room]:
            self._launch(row, batch)
        for row in claimed[room:]:
            self._requeue(row)
        return bool(claimed)

    async def _wait_for_room(self) -> None:
        waits = [self._free.wait_time()]
        if self.settings.paid_broadcasts:
            waits.append(self._paid.wait_time())
        # No wait: there is room, but staff messages waiting for it go first.
        wait = max(min(waits), WAITERS_FIRST_SECONDS)
        await self._sleep(HOUSEKEEPING_SECONDS if math.isinf(wait) else wait)

    async def _claim(self, free: int, paid: int) -> list[Claimed]:
        now, wall, started = self._clock(), self._wall(), self._monotonic()
        async with self._writing() as session:
            claimed = await outbox.claim(
                session,
                owner=self.owner,
                now=now,
                wall_now=wall,
                limits={True: paid, False: free},
                chat_is_busy=self._spacing.busy,
            )
            starting = {row.alert_id for row in claimed} - self._started
            if starting:
                await outbox.mark_started(session, starting, wall)
            for alert_id in {row.alert_id for row in claimed} - self._alerts.keys():
                alert = await get_alert(session, alert_id)
                if alert is not None:
                    self._alerts[alert_id] = alert
        self._started |= starting
        took = self._monotonic() - started
        self._claim_seconds += (took - self._claim_seconds) * CLAIM_SECONDS_WEIGHT
        return claimed

    def _window(self, row: Claimed) -> SendWindow:
        return self._paid if row.paid and self.settings.paid_broadcasts else self._free

    def _launch(self, row: Claimed, batch: Batch) -> None:
        """Start the send of a claimed row, in the batch its room was reserved in."""
        window, chat = self._window(row), self._chat_key(row)
        # While claiming, a 429 may have closed the gate, or a staff message taken the chat.
        if self._spacing.busy(chat) or self._gate.remaining() > 0:
            window.give_back(batch)
            self._requeue(row)
            return
        self._spacing.start(chat)
        task = asyncio.create_task(self._deliver(row, batch))
        self._sends.add(task)
        task.add_done_callback(self._send_done)

    def _requeue(self, row: Claimed) -> None:
        """Not sent: back in the queue, for a later claim."""
        back = Outcome(row.id, row.chat_id, row.kind, OutboxState.PENDING, row.attempts)
        self._outcomes.put_nowait(back)

    def _send_done(self, task: asyncio.Task[None]) -> None:
        self._sends.discard(task)
        self._wake.set()  # a slot is free

    @staticmethod
    def _chat_key(row: Claimed) -> int:
        return row.chat_id if row.kind is not Kind.CHANNEL else outbox.CHANNEL_CHAT_ID

    async def _deliver(self, row: Claimed, batch: Batch | None) -> None:
        """Send one row until it has an outcome; `batch`: its first send may go now."""
        attempts = row.attempts
        window, chat = self._window(row), self._chat_key(row)
        try:
            while True:
                if batch is None:
                    batch = await self._take_turn(window, chat)
                attempts += 1
                failure: TelegramError | None = None
                try:
                    message = await self._send(row)
                except TelegramError as error:
                    failure = error
                finally:
                    window.answered(batch, counts=not _refused(failure))
                    self._spacing.finish(chat)
                    batch = None
                if failure is None:
                    outcome = Outcome(
                        row.id,
                        row.chat_id,
                        row.kind,
                        OutboxState.DELIVERED,
                        attempts,
                        message_id=message.message_id,
                    )
                    break
                if isinstance(failure, RetryAfter):
                    # Not sent: all sending pauses, and the row goes back to the front of
                    # the queue (not an attempt, nor a failure), sent again after the pause.
                    self._flood(retry_after_seconds(failure))
                    outcome = Outcome(
                        row.id, row.chat_id, row.kind, OutboxState.PENDING, attempts - 1
                    )
                    break
                verdict = classify(failure)
                if verdict is Verdict.RETRY and attempts < self.settings.alert_max_attempts:
                    await self._backoff(attempts)
                    continue
                if row.kind is Kind.CHANNEL and verdict in (Verdict.BLOCKED, Verdict.NOT_FOUND):
                    verdict = Verdict.FAILED  # never "unsubscribe" the channel
                outcome = Outcome(
                    row.id,
                    row.chat_id,
                    row.kind,
                    _STATE_OF[verdict],
                    attempts,
                    error=failure.message,
                )
                break
        except _StoppingError:
            # It was waiting (a 429, a backoff): not sent, so it goes back in the queue.
            outcome = Outcome(row.id, row.chat_id, row.kind, OutboxState.PENDING, attempts)
        except Exception as error:  # a bug must not lose the row: it is settled as failed
            logger.exception("sending one alert message failed unexpectedly")
            outcome = Outcome(
                row.id, row.chat_id, row.kind, OutboxState.FAILED, attempts, error=repr(error)
            )
        self._outcomes.put_nowait(outcome)

    async def _take_turn(self, window: SendWindow, chat: int | str) -> Batch:
        """Before sending again: the gate open, the chat's turn, room in the window."""
        while True:
            await self._unless_stopping(self._gate.wait_open())
            await self._unless_stopping(self._spacing.wait_turn(chat))
            await self._unless_stopping(window.wait_for_room())
            if self._gate.remaining() == 0 and not self._spacing.busy(chat) and window.available():
                self._spacing.start(chat)
                return window.open(1)

    async def _unless_stopping(self, waiting: Awaitable[T]) -> T:
        if self._stopping.is_set():
            if asyncio.iscoroutine(waiting):
                waiting.close()
            raise _StoppingError
        task = asyncio.ensure_future(waiting)
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            stop.cancel()
            return task.result()
        task.cancel()
        raise _StoppingError

    async def _backoff(self, attempts: int) -> None:
        delay = self.settings.alert_retry_seconds * 2 ** (attempts - 1)
        await self._unless_stopping(asyncio.sleep(delay))

    def _flood(self, seconds: float) -> None:
        logger.warning("Telegram asked to slow down: all sending pauses for %.0f s", seconds)
        self._gate.close_for(seconds)
        until = self._wall() + timedelta(seconds=seconds)
        task = asyncio.create_task(self._share_pause(until))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _share_pause(self, until: datetime) -> None:
        try:
            async with self._writing() as session:
                await outbox.pause_sending(session, until)
        except Exception:
            logger.warning("could not share a flood wait with other replicas")

    def _text(self, row: Claimed) -> str:
        """The alert as this person gets it: in their language, discreet or simple mode
        (plain text, sent without a parse mode)."""
        key = (row.alert_id, row.language, row.discreet, row.simple)
        if key not in self._texts:
            message = render.alert_message(
                self._alerts[row.alert_id],
                partnership=self._partnership.short_name,
                zones=self._partnership.zones,
                zone_info=self._zone,
                language=row.language,
                discreet=row.discreet,
            )
            self._texts[key] = plain(message) if row.simple else message
        return self._texts[key]

    async def _send(self, row: Claimed) -> Message:
        chat: int | str | None = row.chat_id
        if row.kind is Kind.CHANNEL:
            chat = self._channel
            if chat is None:
                raise BadRequest("no channel is set to mirror alerts to")
        reply = None
        if row.reply_to is not None:
            reply = ReplyParameters(row.reply_to, allow_sending_without_reply=True)
        return await self._bot.send_message(
            chat,
            self._text(row),
            parse_mode=None if row.simple else ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_parameters=reply,
            allow_paid_broadcast=True if row.paid and self.settings.paid_broadcasts else None,
        )

    async def _drain_sends(self) -> None:
        """Let the sends in flight finish (a bounded time), then give up on the rest:
        those stay `sending` and become ambiguous when a worker next takes the lease."""
        if not self._sends:
            return
        _done, pending = await asyncio.wait(
            set(self._sends), timeout=self.settings.alert_send_timeout + 1
        )
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    # --- outcomes ---------------------------------------------------------------------
    async def _record_outcomes(self) -> None:
        while True:
            first = await self._outcomes.get()
            batch = [] if first is None else [first]
            finished = first is None
            while not self._outcomes.empty():
                item = self._outcomes.get_nowait()
                if item is None:
                    finished = True
                else:
                    batch.append(item)
            if batch:
                await self._write(batch)
                self._wake.set()
                if not self._sends and self._idling:
                    self._look_around.set()  # maybe the last of a broadcast: report soon
            if finished:
                return

    async def _write(self, batch: list[Outcome]) -> None:
        delay = 0.1
        while True:
            try:
                async with self._writing() as session:
                    await outbox.record(session, batch, owner=self.owner, at=self._wall())
                return
            except Exception:
                # The sends happened: their outcomes must be written, so keep trying.
                logger.exception("could not record %d alert outcomes; retrying", len(batch))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # --- progress, finishing, reports -------------------------------------------------
    async def _housekeeping(self) -> None:
        while True:
            busy = False
            if self._holding:
                with contextlib.suppress(Exception):  # the sending path retries it
                    await self._hold_lease(renew_after=1 / 3)
            if self._holding:
                try:
                    busy = await self.housekeep()
                except Exception:
                    logger.exception("alert housekeeping failed; trying again shortly")
            interval = HOUSEKEEPING_SECONDS if busy else self.settings.alert_poll_seconds
            self._look_around.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._look_around.wait(), interval)

    async def housekeep(self) -> bool:
        """Skip what expired, finish what is done, edit progress, send reports. True
        while some broadcast still needs watching."""
        now, wall = self._clock(), self._wall()
        skip_due = self._monotonic() - self._skipped_at >= self.settings.alert_poll_seconds
        if self._watching and skip_due:
            # Claims never take expired rows; this only settles them for the reports.
            # Waiting rows belong to a broadcast still sending, which the last look saw
            # (cancelling settles its rows): with none, there is nothing to skip, and an
            # idle worker makes no write transaction.
            async with self._writing() as session:
                await outbox.skip_expired(session, now, wall)
            self._skipped_at = self._monotonic()
        async with self._sessions() as session:
            watched = await outbox.needing_attention(session, now)
        if watched and not self._watching:
            self._wake.set()  # maybe queued by another replica: an idle sender looks now
        self._watching = bool(watched)
        for broadcast in watched:
            broadcast = await self._finish_if_done(broadcast, now, wall)
            if broadcast.finished_at is not None:
                await self._report(broadcast)
            else:
                await self._show_progress(broadcast)
        await self._final_edits_due()
        return bool(watched or self._final_edits)

    async def _finish_if_done(
        self, broadcast: Broadcast, now: datetime, wall: datetime
    ) -> Broadcast:
        counts = broadcast.counts
        if broadcast.finished_at is not None:
            return broadcast
        done = counts.finished
        if broadcast.status is BroadcastStatus.CANCELLED:
            done = counts.of(OutboxState.SENDING) == 0 and counts.channel is not OutboxState.SENDING
        if not done:
            return broadcast
        async with self._writing() as session:
            await outbox.finish(session, broadcast.alert.id, wall, from_status=broadcast.status)
        async with self._sessions() as session:
            found = await outbox.get_broadcast(session, broadcast.alert.id, now)
        return found or broadcast

    def _staff_message(self, broadcast: Broadcast) -> _StaffMessage:
        alert_id = broadcast.alert.id
        if alert_id not in self._staff_messages:
            # First seen now: the bot has just turned the confirmation into the progress
            # message, so the next message to that chat waits its turn like any other.
            self._spacing.note_sent(broadcast.staff_chat_id)
            self._staff_messages[alert_id] = _StaffMessage(self._monotonic())
        return self._staff_messages[alert_id]

    def _may_edit(self, state: _StaffMessage) -> bool:
        return self._monotonic() - state.last_sent >= self.settings.alert_progress_seconds

    async def _show_progress(self, broadcast: Broadcast) -> None:
        state = self._staff_message(broadcast)
        reply = render.progress(broadcast, broadcast.staff_language)
        if broadcast.progress_message_id is None or reply.text == state.text:
            return
        if not self._may_edit(state):
            return
        await self._edit_progress(broadcast, reply.text, reply.keyboard)
        state.last_sent, state.text = self._monotonic(), reply.text

    async def _report(self, broadcast: Broadcast) -> None:
        """The report as a new message (staff are notified), then, once edits are
        allowed again, the progress message's last state."""
        self._staff_message(broadcast)
        report = render.report(broadcast, broadcast.staff_language)
        await self._staff_call(
            broadcast.staff_chat_id,
            lambda: self._bot.send_message(
                broadcast.staff_chat_id,
                report.text,
                parse_mode=ParseMode.HTML,
                reply_markup=report.keyboard,
            ),
        )
        async with self._writing() as session:
            await outbox.mark_reported(session, broadcast.alert.id, self._wall())
        if broadcast.progress_message_id is not None:
            self._final_edits[broadcast.alert.id] = broadcast
        else:
            self._staff_messages.pop(broadcast.alert.id, None)

    async def _final_edits_due(self) -> None:
        for alert_id, broadcast in list(self._final_edits.items()):
            state = self._staff_message(broadcast)
            if not self._may_edit(state):
                continue
            final = render.progress(broadcast, broadcast.staff_language)
            await self._edit_progress(broadcast, final.text, final.keyboard)
            del self._final_edits[alert_id]
            self._staff_messages.pop(alert_id, None)

    async def _edit_progress(self, broadcast: Broadcast, text: str, keyboard: Any) -> None:
        await self._staff_call(
            broadcast.staff_chat_id,
            lambda: self._bot.edit_message_text(
                text,
                chat_id=broadcast.staff_chat_id,
                message_id=broadcast.progress_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            ),
            sends=False,
        )

    async def _staff_call(
        self, chat: int, call: Callable[[], Awaitable[object]], *, sends: bool = True
    ) -> None:
        """A message to staff goes through the same gate and chat pacing, and a new
        message (`sends`) through the window too: Telegram's overall limit counts
        messages sent, an edit counts for its chat only."""
        await self._gate.wait_open()
        if self._chat_pacer is not None:
            await self._chat_pacer.wait_turn(chat)
        while True:
            await self._spacing.wait_turn(chat)
            if sends:
                await self._free.wait_for_room()
            if not self._spacing.busy(chat) and (not sends or self._free.available()):
                break
        batch = self._free.open(1) if sends else None
        self._spacing.start(chat)
        refused = False
        try:
            await call()
        except RetryAfter as error:
            refused = True
            self._flood(retry_after_seconds(error))
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                logger.warning("a staff progress message could not be updated: %s", error.message)
        except TelegramError as error:
            logger.warning("a staff progress message failed: %s", type(error).__name__)
        finally:
            if batch is not None:
                self._free.answered(batch, counts=not refused)
            self._spacing.finish(chat)
            if self._chat_pacer is not None:
                self._chat_pacer.finished(chat)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the delivery worker stopped", exc_info=task.exception())


# --- wiring into the Application ------------------------------------------------------

_WORKERS: weakref.WeakKeyDictionary[Any, DeliveryWorker] = weakref.WeakKeyDictionary()


def worker_for(application: Any) -> DeliveryWorker | None:
    return _WORKERS.get(application)


async def start(application: Any) -> DeliveryWorker:
    """post_init: start the application's delivery worker."""
    services = application.bot_data.services
    worker = DeliveryWorker(
        services.settings,
        services.sessions,
        services.partnership,
        clock=services.clock,
        budget=getattr(application.bot.rate_limiter, "budget", None),
        chat_pacer=getattr(application.bot.rate_limiter, "pacer", None),
    )
    _WORKERS[application] = worker
    worker.start()
    return worker


async def stop(application: Any) -> None:
    """post_shutdown: stop it cleanly (sends in flight finish and are recorded)."""
    worker = _WORKERS.pop(application, None)
    if worker is not None:
        await worker.stop()


def wake(application: Any, *, sent_to: int | None = None) -> None:
    """New work is queued. `sent_to`: the bot has just sent to that (staff) chat, so the
    worker's next message there waits its turn."""
    worker = _WORKERS.get(application)
    if worker is not None:
        if sent_to is not None:
            worker.note_sent(sent_to)
        worker.wake()
