"""Usage figures for partnership staff: counts only, never who or where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AlertRow, StaffRoleRow, SubscriberRow
from bot.store.roles import Role
from venues.orm import VenueRow


@dataclass(frozen=True, slots=True)
class UsageFigures:
    venues_by_status: dict[str, int]
    subscribers: int
    active_alerts: int
    alerts_total: int
    partnership_staff: int
    venue_staff: int


async def figures(session: AsyncSession, now: datetime) -> UsageFigures:
    by_status = {
        status: count
        for status, count in await session.execute(
            select(VenueRow.status, func.count()).group_by(VenueRow.status)
        )
    }
    subscribers = await session.scalar(select(func.count()).select_from(SubscriberRow))
    alerts_total = await session.scalar(select(func.count()).select_from(AlertRow))
    active = await session.scalar(
        select(func.count())
        .select_from(AlertRow)
        .where(AlertRow.expires_at > now, AlertRow.cancelled_at.is_(None))
    )
    staff = {
        role: count
        for role, count in await session.execute(
            select(StaffRoleRow.role, func.count(func.distinct(StaffRoleRow.user_id)))
            .where(StaffRoleRow.revoked_at.is_(None))
            .group_by(StaffRoleRow.role)
        )
    }
    return UsageFigures(
        venues_by_status=by_status,
        subscribers=subscribers or 0,
        active_alerts=active or 0,
        alerts_total=alerts_total or 0,
        partnership_staff=staff.get(Role.PARTNERSHIP.value, 0),
        venue_staff=staff.get(Role.VENUE_STAFF.value, 0),
    )
