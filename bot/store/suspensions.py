"""Suspensions: an active venue taken off the public list, and why.

The venue's own status says whether it is shown; the row here remembers why
(reports from the public, or no current accreditation left), so renewing an
accreditation lists again only a venue that expiry took off, and the audit log
holds who did it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import VenueSuspensionRow
from venues import repository
from venues.model import VenueStatus


class Reason(StrEnum):
    REPORTS = "reports"  # partnership staff, after problem reports
    EXPIRED = "expired"  # no current accreditation left


async def suspend(
    session: AsyncSession, venue_id: int, reason: Reason, by: int | None, at: datetime
) -> bool:
    """Take an active venue off the public list; False when it was not listed."""
    venue = await repository.get_venue(session, venue_id)
    if venue is None or venue.status is not VenueStatus.ACTIVE:
        return False
    await repository.set_status(session, venue_id, VenueStatus.SUSPENDED)
    row = await session.get(VenueSuspensionRow, venue_id)
    if row is None:
        row = VenueSuspensionRow(venue_id=venue_id)
        session.add(row)
    row.reason, row.suspended_by, row.suspended_at = reason.value, by, at
    await session.flush()
    return True


async def reason_of(session: AsyncSession, venue_id: int) -> Reason | None:
    row = await session.get(VenueSuspensionRow, venue_id)
    return Reason(row.reason) if row else None


async def reinstate(session: AsyncSession, venue_id: int, *, only: Reason | None = None) -> bool:
    """List a suspended venue again (`only`: if it was suspended for that reason)."""
    venue = await repository.get_venue(session, venue_id)
    if venue is None or venue.status is not VenueStatus.SUSPENDED:
        return False
    if only is not None and await reason_of(session, venue_id) is not only:
        return False
    await repository.set_status(session, venue_id, VenueStatus.ACTIVE)
    await session.execute(delete(VenueSuspensionRow).where(VenueSuspensionRow.venue_id == venue_id))
    return True
