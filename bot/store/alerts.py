"""Safety alerts: what is active, for whom, where."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AlertRow


class Audience(StrEnum):
    PUBLIC = "public"
    VENUES = "venues"
    BOTH = "both"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


# How long an alert applies, as staff choose it: hours, or until 06:00 local time.
EXPIRY_CHOICES = ("2h", "6h", "0600", "24h")
_MORNING = time(6, 0)


def expiry_for(choice: str, now: datetime, zone: ZoneInfo) -> datetime:
    """When an alert sent at `now` with the expiry `choice` expires (aware UTC)."""
    if choice == "0600":
        local = now.astimezone(zone)
        day = local.date() if local.time().replace(tzinfo=None) < _MORNING else None
        day = day or local.date() + timedelta(days=1)
        return datetime.combine(day, _MORNING, tzinfo=zone).astimezone(UTC)
    hours = {"2h": 2, "6h": 6, "24h": 24}.get(choice)
    if hours is None:
        raise ValueError(f"unknown expiry {choice!r}")
    return now + timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    text: str
    audience: Audience
    zones: tuple[str, ...]
    priority: Priority
    created_by: int
    created_at: datetime
    expires_at: datetime
    cancelled_at: datetime | None = None
    follows_alert_id: int | None = None

    def reaches_public(self) -> bool:
        return self.audience in (Audience.PUBLIC, Audience.BOTH)

    def reaches_venues(self) -> bool:
        return self.audience in (Audience.VENUES, Audience.BOTH)

    def covers(self, chosen: Iterable[str], whole_area: Collection[str] = ()) -> bool:
        """Whether someone who chose the zones `chosen` should see this alert: alerts
        for everywhere reach everyone; zoned ones reach those who chose one of their
        zones or a zone that stands for the whole area."""
        chosen = set(chosen)
        return not self.zones or bool(chosen & set(whole_area)) or bool(chosen & set(self.zones))

    @property
    def is_all_clear(self) -> bool:
        """An "all clear" follow-up: it ends the alert it follows."""
        return self.follows_alert_id is not None


def _to_alert(row: AlertRow) -> Alert:
    return Alert(
        id=row.id,
        text=row.text,
        audience=Audience(row.audience),
        zones=tuple(row.zones),
        priority=Priority(row.priority),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        cancelled_at=row.cancelled_at,
        follows_alert_id=row.follows_alert_id,
    )


async def create(
    session: AsyncSession,
    *,
    text: str,
    audience: Audience,
    zones: list[str],
    priority: Priority,
    created_by: int,
    expires_at: datetime,
    follows_alert_id: int | None = None,
    created_at: datetime | None = None,
) -> Alert:
    row = AlertRow(
        text=text,
        audience=audience.value,
        zones=list(zones),
        priority=priority.value,
        created_by=created_by,
        expires_at=expires_at,
        follows_alert_id=follows_alert_id,
    )
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    await session.flush()
    return _to_alert(row)


async def get(session: AsyncSession, alert_id: int) -> Alert | None:
    row = await session.get(AlertRow, alert_id)
    return _to_alert(row) if row else None


async def active(session: AsyncSession, at: datetime) -> list[Alert]:
    """Unexpired, uncancelled alerts, newest first."""
    rows = await session.scalars(
        select(AlertRow)
        .where(AlertRow.expires_at > at, AlertRow.cancelled_at.is_(None))
        .order_by(AlertRow.created_at.desc(), AlertRow.id.desc())
    )
    return [_to_alert(row) for row in rows]


async def cancel(session: AsyncSession, alert_id: int, at: datetime) -> bool:
    """Withdraw an alert (it disappears from /alerts); False if it already was."""
    result = await session.execute(
        update(AlertRow)
        .where(AlertRow.id == alert_id, AlertRow.cancelled_at.is_(None))
        .values(cancelled_at=at)
    )
    return result.rowcount > 0


async def end(session: AsyncSession, alert_id: int, at: datetime) -> None:
    """The alert is over (an all clear was sent): it expires now, if not before."""
    await session.execute(
        update(AlertRow)
        .where(AlertRow.id == alert_id, AlertRow.expires_at > at)
        .values(expires_at=at)
    )


async def followed(session: AsyncSession, alert_ids: Collection[int]) -> set[int]:
    """Which of these alerts already have an all clear."""
    if not alert_ids:
        return set()
    rows = await session.scalars(
        select(AlertRow.follows_alert_id).where(AlertRow.follows_alert_id.in_(list(alert_ids)))
    )
    return {alert_id for alert_id in rows if alert_id is not None}
