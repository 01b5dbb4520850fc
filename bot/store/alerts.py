"""Safety alerts: what is active, for whom, where."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AlertRow


class Audience(StrEnum):
    PUBLIC = "public"
    VENUES = "venues"
    BOTH = "both"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


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
