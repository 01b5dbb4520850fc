"""Staff roles: partnership staff, and staff of particular venues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import StaffRoleRow


class Role(StrEnum):
    PARTNERSHIP = "partnership"
    VENUE_STAFF = "venue_staff"


def _active() -> ColumnElement[bool]:
    return StaffRoleRow.revoked_at.is_(None)


async def is_partnership_staff(session: AsyncSession, user_id: int) -> bool:
    found = await session.scalar(
        select(StaffRoleRow.id).where(
            StaffRoleRow.user_id == user_id, StaffRoleRow.role == Role.PARTNERSHIP, _active()
        )
    )
    return found is not None


async def partnership_staff(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(StaffRoleRow.user_id)
        .where(StaffRoleRow.role == Role.PARTNERSHIP, _active())
        .order_by(StaffRoleRow.user_id)
    )
    return list(dict.fromkeys(rows))


async def grant_partnership(
    session: AsyncSession, user_id: int, granted_by: int | None, at: datetime
) -> bool:
    """Make someone partnership staff; False when they already are."""
    if await is_partnership_staff(session, user_id):
        return False
    session.add(
        StaffRoleRow(user_id=user_id, role=Role.PARTNERSHIP, granted_by=granted_by, granted_at=at)
    )
    await session.flush()
    return True


async def revoke_partnership(session: AsyncSession, user_id: int, at: datetime) -> bool:
    result = await session.execute(
        update(StaffRoleRow)
        .where(StaffRoleRow.user_id == user_id, StaffRoleRow.role == Role.PARTNERSHIP, _active())
        .values(revoked_at=at)
    )
    return result.rowcount > 0


async def bootstrap_admins(session: AsyncSession, admin_ids: Iterable[int], at: datetime) -> None:
    """Grant the settings' first staff, unless they ever had a role (even a revoked one)."""
    for admin_id in admin_ids:
        known = await session.scalar(
            select(StaffRoleRow.id).where(
                StaffRoleRow.user_id == admin_id, StaffRoleRow.role == Role.PARTNERSHIP
            )
        )
        if known is None:
            session.add(StaffRoleRow(user_id=admin_id, role=Role.PARTNERSHIP, granted_at=at))
    await session.flush()


async def venues_of(session: AsyncSession, user_id: int) -> list[int]:
    rows = await session.scalars(
        select(StaffRoleRow.venue_id)
        .where(StaffRoleRow.user_id == user_id, StaffRoleRow.role == Role.VENUE_STAFF, _active())
        .order_by(StaffRoleRow.venue_id)
    )
    return [venue_id for venue_id in rows if venue_id is not None]


async def staff_of_venue(session: AsyncSession, venue_id: int) -> list[int]:
    rows = await session.scalars(
        select(StaffRoleRow.user_id)
        .where(StaffRoleRow.venue_id == venue_id, StaffRoleRow.role == Role.VENUE_STAFF, _active())
        .order_by(StaffRoleRow.user_id)
    )
    return list(dict.fromkeys(rows))


async def is_venue_staff(session: AsyncSession, user_id: int, venue_id: int) -> bool:
    return venue_id in await venues_of(session, user_id)


async def link_venue_staff(
    session: AsyncSession, user_id: int, venue_id: int, granted_by: int | None, at: datetime
) -> bool:
    if await is_venue_staff(session, user_id, venue_id):
        return False
    session.add(
        StaffRoleRow(
            user_id=user_id,
            role=Role.VENUE_STAFF,
            venue_id=venue_id,
            granted_by=granted_by,
            granted_at=at,
        )
    )
    await session.flush()
    return True


async def all_venue_staff(session: AsyncSession) -> dict[int, list[int]]:
    """Venue id → its staff's user ids (for alerts to venues)."""
    rows = await session.execute(
        select(StaffRoleRow.venue_id, StaffRoleRow.user_id)
        .where(StaffRoleRow.role == Role.VENUE_STAFF, _active())
        .order_by(StaffRoleRow.venue_id, StaffRoleRow.user_id)
    )
    staff: dict[int, list[int]] = {}
    for venue_id, user_id in rows:
        if venue_id is not None:
            staff.setdefault(venue_id, []).append(user_id)
    return staff
