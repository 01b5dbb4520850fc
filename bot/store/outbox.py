"""The alert outbox: one row per recipient, written with the alert before anything is sent.

Who an alert reaches is decided here (`plan_recipients`, pure), stored in one
transaction with the alert (`create_broadcast`), then worked through by the
delivery worker (`bot.delivery`): claimed just before the HTTP call, the outcome
recorded after it. The sending lease — which replica's worker may send — lives
here too, so the worker's claims can be fenced by it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    AlertRow,
    BroadcastRow,
    DeliveryLeaseRow,
    OutboxRow,
    SubscriberRow,
    UserSettingsRow,
)
from bot.store import alerts, roles, subscriptions
from bot.store.alerts import Alert, Audience, Priority
from bot.store.subscriptions import Subscription
from venues import repository
from venues.model import Point
from venues.partnership import Zone

LEASE_NAME = "alert-outbox"
CHANNEL_CHAT_ID = 0  # the channel mirror's row: the channel itself comes from the settings


class RecipientKind(StrEnum):
    SUBSCRIBER = "subscriber"
    VENUE_STAFF = "venue_staff"
    CHANNEL = "channel"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed: the HTTP call is about to be or is being made
    DELIVERED = "delivered"
    BLOCKED = "blocked"  # 403: blocked the bot or deactivated; unsubscribed
    NOT_FOUND = "not_found"  # 400 chat not found
    FAILED = "failed"  # retries used up, or refused for another reason
    AMBIGUOUS = "ambiguous"  # timed out, or in flight at a crash: maybe delivered
    SKIPPED = "skipped"  # the alert expired (or ended) before its turn
    CANCELLED = "cancelled"  # staff cancelled the broadcast first


class BroadcastStatus(StrEnum):
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


# Bulk updates here never touch objects loaded in the session: skip syncing them.
_NO_SYNC = {"synchronize_session": False}
# Rows whose send was tried: their last update is the outcome.
_SENT = (
    OutboxState.DELIVERED,
    OutboxState.BLOCKED,
    OutboxState.NOT_FOUND,
    OutboxState.FAILED,
    OutboxState.AMBIGUOUS,
)
# People who may still get it: the audience of an all clear.
_REACHED = (OutboxState.DELIVERED, OutboxState.AMBIGUOUS, OutboxState.SENDING)


# --- who an alert reaches (pure) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    kind: RecipientKind
    language: str = "en"
    # Quiet hours: not before this instant (UTC); None: at once.
    not_before: datetime | None = None
    reply_to: int | None = None


def draft_alert(
    *,
    text: str,
    audience: Audience,
    zones: Sequence[str],
    priority: Priority,
    created_by: int,
    now: datetime,
    expires_at: datetime,
) -> Alert:
    """An alert not yet stored (id 0): what previews and plans are made from."""
    return Alert(0, text, audience, tuple(zones), priority, created_by, now, expires_at)


def _venues_in_zones(
    alert: Alert, venue_points: Mapping[int, Point], zones: Sequence[Zone]
) -> set[int]:
    chosen = [zone for zone in zones if zone.key in set(alert.zones)]
    if not alert.zones or any(zone.covers_all for zone in chosen):
        return set(venue_points)
    return {
        venue_id
        for venue_id, point in venue_points.items()
        if any(zone.contains(point) for zone in chosen)
    }


def plan_recipients(
    alert: Alert,
    *,
    subscribers: Iterable[Subscription],
    venue_staff: Mapping[int, Sequence[int]],
    venue_points: Mapping[int, Point],
    zones: Sequence[Zone],
    now: datetime,
    zone_info: ZoneInfo,
) -> list[Recipient]:
    """Everyone the alert reaches, once each. Subscribers by the zones they chose (a
    zone that covers the whole area gets every alert); venue staff by where their
    venue is. Quiet hours hold back normal alerts for subscribers; venue staff get
    alerts meant for venues at once, as part of their work."""
    by_chat: dict[int, Recipient] = {}
    languages: dict[int, str] = {}
    whole_area = [zone.key for zone in zones if zone.covers_all]
    for subscription in subscribers:
        languages[subscription.chat_id] = subscription.language
        if not alert.reaches_public() or not alert.covers(subscription.zones, whole_area):
            continue
        quiet_end = None
        if alert.priority is not Priority.URGENT:
            quiet_end = subscription.quiet_until_after(now, zone_info)
        by_chat[subscription.chat_id] = Recipient(
            subscription.chat_id, RecipientKind.SUBSCRIBER, subscription.language, quiet_end
        )
    if alert.reaches_venues():
        for venue_id in sorted(_venues_in_zones(alert, venue_points, zones)):
            for user_id in venue_staff.get(venue_id, ()):
                language = languages.get(user_id, "en")
                by_chat[user_id] = Recipient(user_id, RecipientKind.VENUE_STAFF, language)
    return [by_chat[chat_id] for chat_id in sorted(by_chat)]


@dataclass(frozen=True, slots=True)
class PlanSummary:
    subscribers: int
    venue_staff: int
    waiting: int  # held back by quiet hours, sent when they end
    missed: int  # quiet until after the alert expires: they will not get it

    @property
    def people(self) -> int:
        return self.subscribers + self.venue_staff

    @property
    def reached(self) -> int:
        return self.people - self.missed


def summarise(recipients: Sequence[Recipient], expires_at: datetime) -> PlanSummary:
    waiting = [r for r in recipients if r.not_before is not None]
    return PlanSummary(
        subscribers=sum(r.kind is RecipientKind.SUBSCRIBER for r in recipients),
        venue_staff=sum(r.kind is RecipientKind.VENUE_STAFF for r in recipients),
        waiting=sum(r.not_before < expires_at for r in waiting if r.not_before),
        missed=sum(r.not_before >= expires_at for r in waiting if r.not_before),
    )


# --- planning and creating broadcasts ------------------------------------------------------


async def plan(
    session: AsyncSession,
    alert: Alert,
    zones: Sequence[Zone],
    now: datetime,
    zone_info: ZoneInfo,
) -> list[Recipient]:
    """Who `alert` would reach if it were sent now."""
    subscribers = await subscriptions.list_all(session) if alert.reaches_public() else []
    venue_staff: dict[int, list[int]] = {}
    venue_points: dict[int, Point] = {}
    if alert.reaches_venues():
        venue_staff = await roles.all_venue_staff(session)
        venue_points = {
            venue.id: venue.point
            for venue in await repository.list_venues(session)
            if venue.id in venue_staff
        }
    return plan_recipients(
        alert,
        subscribers=subscribers,
        venue_staff=venue_staff,
        venue_points=venue_points,
        zones=zones,
        now=now,
        zone_info=zone_info,
    )


def _outbox_values(alert: Alert, recipient: Recipient, *, paid: bool) -> dict[str, Any]:
    waits_too_long = recipient.not_before is not None and recipient.not_before >= alert.expires_at
    return {
        "alert_id": alert.id,
        "chat_id": recipient.chat_id,
        "kind": recipient.kind.value,
        "language": recipient.language,
        "priority": 1 if alert.priority is Priority.URGENT else 0,
        "paid": paid,
        "not_before": recipient.not_before,
        "state": (OutboxState.SKIPPED if waits_too_long else OutboxState.PENDING).value,
        "attempts": 0,
        "reply_to": recipient.reply_to,
    }


async def _write(
    session: AsyncSession,
    alert: Alert,
    recipients: Sequence[Recipient],
    *,
    staff_chat_id: int,
    staff_language: str,
    progress_message_id: int | None,
    paid: bool,
    now: datetime,
) -> None:
    session.add(
        BroadcastRow(
            alert_id=alert.id,
            status=BroadcastStatus.SENDING.value,
            staff_chat_id=staff_chat_id,
            staff_language=staff_language,
            progress_message_id=progress_message_id,
            paid=paid,
            recipients=sum(r.kind is not RecipientKind.CHANNEL for r in recipients),
            created_at=now,
        )
    )
    if recipients:
        values = [_outbox_values(alert, r, paid=paid) for r in recipients]
        await session.execute(insert(OutboxRow), values)
    await session.flush()


async def create_broadcast(
    session: AsyncSession,
    draft: Alert,
    recipients: Sequence[Recipient],
    *,
    staff_chat_id: int,
    staff_language: str,
    progress_message_id: int | None,
    paid: bool,
    mirror_to_channel: bool,
    now: datetime,
) -> Alert:
    """Store the alert, its broadcast and one outbox row per recipient (plus one for
    the channel mirror). Call inside the caller's transaction: all or nothing."""
    alert = await alerts.create(
        session,
        text=draft.text,
        audience=draft.audience,
        zones=list(draft.zones),
        priority=draft.priority,
        created_by=draft.created_by,
        expires_at=draft.expires_at,
        created_at=now,
    )
    everyone = list(recipients)
    if mirror_to_channel and alert.reaches_public():
        everyone.append(Recipient(CHANNEL_CHAT_ID, RecipientKind.CHANNEL))
    await _write(
        session,
        alert,
        everyone,
        staff_chat_id=staff_chat_id,
        staff_language=staff_language,
        progress_message_id=progress_message_id,
        paid=paid,
        now=now,
    )
    return alert


async def all_clear_audience(session: AsyncSession, alert_id: int) -> list[Recipient]:
    """Who an all clear for this alert goes to: those it reached (or may have), who
    still want alerts, each in reply to the alert they got."""
    rows = (
        await session.execute(
            select(OutboxRow.chat_id, OutboxRow.kind, OutboxRow.language, OutboxRow.message_id)
            .where(OutboxRow.alert_id == alert_id, OutboxRow.state.in_(_REACHED))
            .order_by(OutboxRow.chat_id)
        )
    ).all()
    subscribed = set(await session.scalars(select(SubscriberRow.chat_id)))
    return [
        Recipient(r.chat_id, RecipientKind(r.kind), r.language, reply_to=r.message_id)
        for r in rows
        if r.kind != RecipientKind.SUBSCRIBER or r.chat_id in subscribed
    ]


async def create_all_clear(
    session: AsyncSession,
    original: Alert,
    *,
    created_by: int,
    staff_chat_id: int,
    staff_language: str,
    progress_message_id: int | None,
    now: datetime,
    expires_at: datetime,
    zone_info: ZoneInfo,
) -> tuple[Alert, int] | None:
    """An all clear to everyone the original reached, and how many that is; the
    original ends now (its unsent rows are skipped). None if it already has one."""
    if original.is_all_clear or original.id in await alerts.followed(session, [original.id]):
        return None
    audience = await all_clear_audience(session, original.id)
    quiet = {s.chat_id: s for s in await subscriptions.list_all(session)}
    recipients = [
        Recipient(
            r.chat_id,
            r.kind,
            r.language,
            quiet[r.chat_id].quiet_until_after(now, zone_info) if r.chat_id in quiet else None,
            r.reply_to,
        )
        if r.kind is RecipientKind.SUBSCRIBER
        else r
        for r in audience
    ]
    alert = await alerts.create(
        session,
        text=original.text,
        audience=original.audience,
        zones=list(original.zones),
        priority=Priority.NORMAL,
        created_by=created_by,
        expires_at=expires_at,
        follows_alert_id=original.id,
        created_at=now,
    )
    await alerts.end(session, original.id, now)
    await _write(
        session,
        alert,
        recipients,
        staff_chat_id=staff_chat_id,
        staff_language=staff_language,
        progress_message_id=progress_message_id,
        paid=False,
        now=now,
    )
    return alert, sum(r.kind is not RecipientKind.CHANNEL for r in recipients)


async def cancel_broadcast(session: AsyncSession, alert_id: int, at: datetime) -> int | None:
    """Stop a broadcast in progress — sending, or sent with some people still waiting
    for their quiet hours to end: its unsent rows are dropped and the alert withdrawn.
    How many rows were dropped; None when there was nothing left to stop."""
    row = await session.get(BroadcastRow, alert_id, with_for_update=True)
    if row is None or row.status == BroadcastStatus.CANCELLED.value:
        return None
    dropped = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.alert_id == alert_id, OutboxRow.state == OutboxState.PENDING.value)
        .values(state=OutboxState.CANCELLED.value, updated_at=at),
        execution_options=_NO_SYNC,
    )
    if row.status != BroadcastStatus.SENDING.value and not dropped.rowcount:
        return None  # long done: nothing was waiting
    row.status = BroadcastStatus.CANCELLED.value
    await alerts.cancel(session, alert_id, at)
    return dropped.rowcount or 0


# --- progress and reports ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """Where a broadcast's rows are. People only; the channel mirror apart."""

    by_state: Mapping[str, int] = field(default_factory=dict)
    waiting: int = 0  # pending until quiet hours end
    channel: OutboxState | None = None

    def of(self, state: OutboxState) -> int:
        return self.by_state.get(state.value, 0)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def due(self) -> int:
        """Still to send now (or being sent)."""
        return self.of(OutboxState.PENDING) - self.waiting + self.of(OutboxState.SENDING)

    @property
    def handled(self) -> int:
        return self.total - self.of(OutboxState.PENDING) - self.of(OutboxState.SENDING)

    @property
    def finished(self) -> bool:
        channel_busy = self.channel in (OutboxState.PENDING, OutboxState.SENDING)
        return self.due == 0 and not channel_busy


async def counts(
    session: AsyncSession, alert_ids: Collection[int], now: datetime
) -> dict[int, DeliveryCounts]:
    if not alert_ids:
        return {}
    waiting = case((OutboxRow.not_before > now, 1), else_=0)
    rows = await session.execute(
        select(OutboxRow.alert_id, OutboxRow.kind, OutboxRow.state, waiting, func.count())
        .where(OutboxRow.alert_id.in_(list(alert_ids)))
        .group_by(OutboxRow.alert_id, OutboxRow.kind, OutboxRow.state, waiting)
    )
    by_alert: dict[int, dict[str, int]] = {alert_id: {} for alert_id in alert_ids}
    waits: dict[int, int] = dict.fromkeys(alert_ids, 0)
    channel: dict[int, OutboxState] = {}
    for alert_id, kind, state, is_waiting, count in rows:
        if kind == RecipientKind.CHANNEL:
            channel[alert_id] = OutboxState(state)
            continue
        states = by_alert[alert_id]
        states[state] = states.get(state, 0) + count
        if is_waiting and state == OutboxState.PENDING:
            waits[alert_id] += count
    return {
        alert_id: DeliveryCounts(states, waits[alert_id], channel.get(alert_id))
        for alert_id, states in by_alert.items()
    }


@dataclass(frozen=True, slots=True)
class Broadcast:
    alert: Alert
    status: BroadcastStatus
    staff_chat_id: int
    staff_language: str
    progress_message_id: int | None
    paid: bool
    recipients: int
    started_at: datetime | None
    finished_at: datetime | None
    reported_at: datetime | None
    counts: DeliveryCounts = field(default_factory=DeliveryCounts)
    has_all_clear: bool = False


def _broadcast(
    row: BroadcastRow, alert: Alert, counts_: DeliveryCounts, has_all_clear: bool
) -> Broadcast:
    return Broadcast(
        alert=alert,
        status=BroadcastStatus(row.status),
        staff_chat_id=row.staff_chat_id,
        staff_language=row.staff_language,
        progress_message_id=row.progress_message_id,
        paid=row.paid,
        recipients=row.recipients,
        started_at=row.started_at,
        finished_at=row.finished_at,
        reported_at=row.reported_at,
        counts=counts_,
        has_all_clear=has_all_clear,
    )


async def _broadcasts(
    session: AsyncSession, rows: Sequence[BroadcastRow], now: datetime
) -> list[Broadcast]:
    ids = [row.alert_id for row in rows]
    found = {a.id: a for a in [await alerts.get(session, alert_id) for alert_id in ids] if a}
    counted = await counts(session, ids, now)
    followed = await alerts.followed(session, ids)
    return [
        _broadcast(row, found[row.alert_id], counted[row.alert_id], row.alert_id in followed)
        for row in rows
        if row.alert_id in found
    ]


async def get_broadcast(session: AsyncSession, alert_id: int, now: datetime) -> Broadcast | None:
    row = await session.get(BroadcastRow, alert_id)
    if row is None:
        return None
    found = await _broadcasts(session, [row], now)
    return found[0] if found else None


async def recent(session: AsyncSession, now: datetime, limit: int = 8) -> list[Broadcast]:
    rows = await session.scalars(
        select(BroadcastRow).order_by(BroadcastRow.alert_id.desc()).limit(limit)
    )
    return await _broadcasts(session, list(rows), now)


async def needing_attention(session: AsyncSession, now: datetime) -> list[Broadcast]:
    """Broadcasts still sending, or finished but not yet reported to staff."""
    rows = await session.scalars(
        select(BroadcastRow)
        .where(
            or_(
                BroadcastRow.status == BroadcastStatus.SENDING.value,
                BroadcastRow.reported_at.is_(None),
            )
        )
        .order_by(BroadcastRow.alert_id)
    )
    return await _broadcasts(session, list(rows), now)


async def finish(
    session: AsyncSession, alert_id: int, at: datetime, *, from_status: BroadcastStatus
) -> bool:
    """Mark a broadcast finished (once, whoever gets there first), at its last send's
    outcome — `at` if nothing was sent."""
    last_outcome = await session.scalar(
        select(func.max(OutboxRow.updated_at)).where(
            OutboxRow.alert_id == alert_id, OutboxRow.state.in_(_SENT)
        )
    )
    values: dict[str, Any] = {"finished_at": last_outcome or at}
    if from_status is BroadcastStatus.SENDING:
        values["status"] = BroadcastStatus.DONE.value
    result = await session.execute(
        update(BroadcastRow)
        .where(
            BroadcastRow.alert_id == alert_id,
            BroadcastRow.status == from_status.value,
            BroadcastRow.finished_at.is_(None),
        )
        .values(**values)
    )
    return result.rowcount > 0


async def mark_reported(session: AsyncSession, alert_id: int, at: datetime) -> bool:
    result = await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.alert_id == alert_id, BroadcastRow.reported_at.is_(None))
        .values(reported_at=at)
    )
    return result.rowcount > 0


async def paid_messages_sent(session: AsyncSession) -> int:
    """Messages of paid broadcasts sent, maybe sent or still to send: what the Stars
    budget has already been committed to."""
    committed = [
        OutboxState.PENDING.value,
        OutboxState.SENDING.value,
        OutboxState.DELIVERED.value,
        OutboxState.AMBIGUOUS.value,
    ]
    count = await session.scalar(
        select(func.count())
        .select_from(OutboxRow)
        .where(OutboxRow.paid.is_(True), OutboxRow.state.in_(committed))
    )
    return count or 0


# --- the worker's side: lease, claims, outcomes ------------------------------------------


async def ensure_lease(session: AsyncSession, now: datetime) -> None:
    """Create the lease row once (expired, so the first worker takes it)."""
    values = {"name": LEASE_NAME, "owner": "", "expires_at": now, "paused_until": None}
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        await session.execute(
            postgresql.insert(DeliveryLeaseRow).values(values).on_conflict_do_nothing()
        )
    elif dialect == "sqlite":
        await session.execute(
            sqlite.insert(DeliveryLeaseRow).values(values).on_conflict_do_nothing()
        )
    elif await session.get(DeliveryLeaseRow, LEASE_NAME) is None:
        session.add(DeliveryLeaseRow(**values))


async def take_lease(session: AsyncSession, owner: str, now: datetime, until: datetime) -> bool:
    """Hold the lease until `until`: renew it, or take it over once it has expired."""
    result = await session.execute(
        update(DeliveryLeaseRow)
        .where(
            DeliveryLeaseRow.name == LEASE_NAME,
            or_(DeliveryLeaseRow.owner == owner, DeliveryLeaseRow.expires_at <= now),
        )
        .values(owner=owner, expires_at=until)
    )
    return result.rowcount > 0


async def release_lease(session: AsyncSession, owner: str, at: datetime) -> None:
    """Give the lease up: another replica may take it from `at`."""
    await session.execute(
        update(DeliveryLeaseRow)
        .where(DeliveryLeaseRow.name == LEASE_NAME, DeliveryLeaseRow.owner == owner)
        .values(expires_at=at)
    )


async def paused_until(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(DeliveryLeaseRow.paused_until).where(DeliveryLeaseRow.name == LEASE_NAME)
    )


async def pause_sending(session: AsyncSession, until: datetime) -> None:
    """A flood wait every replica honours (kept with the lease)."""
    await session.execute(
        update(DeliveryLeaseRow)
        .where(
            DeliveryLeaseRow.name == LEASE_NAME,
            or_(DeliveryLeaseRow.paused_until.is_(None), DeliveryLeaseRow.paused_until < until),
        )
        .values(paused_until=until)
    )


async def settle_orphans(session: AsyncSession, owner: str, at: datetime, *, resend: bool) -> int:
    """Rows another worker claimed and never settled (it crashed mid-send): maybe
    delivered, maybe not. Ambiguous (not sent again), or with `resend` back in the
    queue (sent again: nobody misses it, some may get it twice)."""
    state = OutboxState.PENDING if resend else OutboxState.AMBIGUOUS
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.state == OutboxState.SENDING.value,
            or_(OutboxRow.claimed_by.is_(None), OutboxRow.claimed_by != owner),
        )
        .values(
            state=state.value,
            claimed_by=None,
            error="in flight when the sender stopped",
            updated_at=at,
        ),
        execution_options=_NO_SYNC,
    )
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    alert_id: int
    chat_id: int
    kind: RecipientKind
    language: str
    paid: bool
    reply_to: int | None
    attempts: int = 0  # tries so far (429s are not tries)
    discreet: bool = False  # the person asked for alerts with a neutral first line
    simple: bool = False  # …or for plain text (simple mode, for screen readers)


_PRIORITY_LEVELS = (1, 0)  # urgent, normal: the values of OutboxRow.priority


def _due_rows(now: datetime, paid: bool, priority: int, limit: int) -> Select[Any]:
    """Rows due now, paid or free, at one priority, oldest first: one range of
    ix_alert_outbox_due read in its order, not a sort of every pending row."""
    return (
        select(
            OutboxRow.id,
            OutboxRow.alert_id,
            OutboxRow.chat_id,
            OutboxRow.kind,
            # A language chosen since subscribing wins; so do discreet and simple mode.
            func.coalesce(UserSettingsRow.language, OutboxRow.language).label("language"),
            OutboxRow.paid,
            OutboxRow.reply_to,
            OutboxRow.attempts,
            func.coalesce(UserSettingsRow.discreet, False).label("discreet"),
            func.coalesce(UserSettingsRow.simple_mode, False).label("simple"),
            OutboxRow.priority,
        )
        .join(AlertRow, AlertRow.id == OutboxRow.alert_id)
        .outerjoin(
            UserSettingsRow,
            (UserSettingsRow.user_id == OutboxRow.chat_id)
            & (OutboxRow.kind != RecipientKind.CHANNEL.value),
        )
        .where(
            OutboxRow.state == OutboxState.PENDING.value,
            OutboxRow.paid == paid,
            OutboxRow.priority == priority,
            or_(OutboxRow.not_before.is_(None), OutboxRow.not_before <= now),
            AlertRow.expires_at > now,
            AlertRow.cancelled_at.is_(None),
        )
        .order_by(OutboxRow.id)
        .limit(limit)
    )


async def claim(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    wall_now: datetime,
    limits: Mapping[bool, int],
    chat_is_busy: Callable[[int], bool],
) -> list[Claimed]:
    """Mark due rows `sending` for `owner` — up to `limits[paid]` paid and free ones — and
    return them: urgent first, then oldest first; rows of chats `chat_is_busy(chat)` are
    left for later. Nothing is claimed unless `owner` holds the lease: the check is part
    of the claiming statement itself."""
    wanted = {paid: count for paid, count in limits.items() if count > 0}
    if not wanted:
        return []
    # One round trip: each (paid, priority) range read in index order, more rows than
    # wanted (some chats may be busy); then urgent first, oldest first.
    ranges = [
        _due_rows(now, paid, level, count * 2 + 8).subquery().select()
        for paid, count in wanted.items()
        for level in _PRIORITY_LEVELS
    ]
    rows = await session.execute(union_all(*ranges) if len(ranges) > 1 else ranges[0])
    candidates = sorted(rows, key=lambda row: (-row.priority, row.id))
    chosen: list[Claimed] = []
    chats: set[int] = set()
    taken: dict[bool, int] = dict.fromkeys(wanted, 0)
    for row in candidates:
        claimed = Claimed(
            row.id,
            row.alert_id,
            row.chat_id,
            RecipientKind(row.kind),
            row.language,
            row.paid,
            row.reply_to,
            row.attempts,
            bool(row.discreet),
            bool(row.simple),
        )
        chat_key = _chat_key(claimed)
        if taken[claimed.paid] >= wanted[claimed.paid] or chat_key in chats:
            continue
        if chat_is_busy(chat_key):
            continue
        chats.add(chat_key)
        taken[claimed.paid] += 1
        chosen.append(claimed)
        if taken == wanted:
            break
    if not chosen:
        return []
    table, lease = OutboxRow.__table__, DeliveryLeaseRow.__table__
    holds_lease = (
        select(lease.c.name)
        .where(
            lease.c.name == LEASE_NAME,
            lease.c.owner == owner,
            lease.c.expires_at > wall_now,
        )
        .exists()
    )
    result = await session.execute(
        update(table)
        .where(
            table.c.id.in_([c.id for c in chosen]),
            table.c.state == OutboxState.PENDING.value,
            holds_lease,
        )
        .values(state=OutboxState.SENDING.value, claimed_by=owner, updated_at=wall_now)
        .returning(table.c.id)
    )
    claimed_ids = set(result.scalars())
    return [c for c in chosen if c.id in claimed_ids]


async def any_pending(session: AsyncSession) -> bool:
    """Whether any row waits to be sent: one look along the due index, no write."""
    pending = OutboxRow.state == OutboxState.PENDING.value
    return await session.scalar(select(OutboxRow.id).where(pending).limit(1)) is not None


async def mark_started(session: AsyncSession, alert_ids: Collection[int], at: datetime) -> None:
    """The first claim of a broadcast starts its clock (for the report's duration)."""
    await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.alert_id.in_(list(alert_ids)), BroadcastRow.started_at.is_(None))
        .values(started_at=at),
        execution_options=_NO_SYNC,
    )


def _chat_key(claimed: Claimed) -> int:
    return claimed.chat_id if claimed.kind is not RecipientKind.CHANNEL else CHANNEL_CHAT_ID


@dataclass(frozen=True, slots=True)
class Outcome:
    row_id: int
    chat_id: int
    kind: RecipientKind
    state: OutboxState
    attempts: int = 1
    message_id: int | None = None
    error: str | None = None


async def record(
    session: AsyncSession, outcomes: Sequence[Outcome], *, owner: str, at: datetime
) -> int:
    """Write what happened to each send; people who blocked the bot are unsubscribed
    in this same transaction. Returns how many were unsubscribed."""
    if not outcomes:
        return 0
    values = [
        {
            "row_id": o.row_id,
            "state": o.state.value,
            "attempts": o.attempts,
            "message_id": o.message_id,
            "error": (o.error or None) and o.error[:200],
            "claimed_by": None if o.state is OutboxState.PENDING else owner,
            "updated_at": at,
        }
        for o in outcomes
    ]
    # One statement, executed for every outcome (Core executemany: the ORM's bulk
    # update by primary key costs a millisecond or more a row).
    table = OutboxRow.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=bindparam("state"),
            attempts=bindparam("attempts"),
            message_id=bindparam("message_id"),
            error=bindparam("error"),
            claimed_by=bindparam("claimed_by"),
            updated_at=bindparam("updated_at"),
        )
    )
    await session.execute(statement, values)
    blocked = {
        o.chat_id
        for o in outcomes
        if o.state is OutboxState.BLOCKED and o.kind is not RecipientKind.CHANNEL
    }
    return await subscriptions.unsubscribe_all(session, blocked)


async def skip_expired(session: AsyncSession, now: datetime, at: datetime) -> int:
    """Rows still waiting when their alert expired (or ended) will not be sent."""
    expired = select(AlertRow.id).where(AlertRow.expires_at <= now)
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.state == OutboxState.PENDING.value, OutboxRow.alert_id.in_(expired))
        .values(state=OutboxState.SKIPPED.value, updated_at=at)
    )
    return result.rowcount or 0


async def forget_chat(session: AsyncSession, chat_id: int) -> None:
    """/forget: the person's rows go (the channel's row, chat 0, is nobody's)."""
    await session.execute(
        delete(OutboxRow).where(
            OutboxRow.chat_id == chat_id, OutboxRow.kind != RecipientKind.CHANNEL.value
        )
    )
