"""Problems people report with a venue: a category and, if they like, their own words.

Never where the reporter was: only the venue, what went wrong, and when. The
reporter's id is kept only so that /forget can delete their reports and so a
flood of reports from one person can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import VenueReportRow

MAX_WORDS = 1000


class Category(StrEnum):
    CLOSED = "closed"  # closed when it should be open
    UNHELPFUL = "unhelpful"  # staff did not help
    UNSAFE = "unsafe"  # not a safe place
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    venue_id: int
    category: Category
    words: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VenueReports:
    """A venue's open (unreviewed) reports, counted by category."""

    venue_id: int
    count: int
    by_category: dict[Category, int]


def _to_report(row: VenueReportRow) -> Report:
    return Report(row.id, row.venue_id, Category(row.category), row.words, row.created_at)


async def add(
    session: AsyncSession,
    *,
    venue_id: int,
    reporter_user_id: int,
    category: Category,
    words: str | None,
    at: datetime,
) -> Report:
    row = VenueReportRow(
        venue_id=venue_id,
        reporter_user_id=reporter_user_id,
        category=category.value,
        words=words[:MAX_WORDS] if words else None,
        created_at=at,
    )
    session.add(row)
    await session.flush()
    return _to_report(row)


async def count_by_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(VenueReportRow)
            .where(VenueReportRow.reporter_user_id == user_id, VenueReportRow.created_at >= since)
        )
    ) or 0


async def open_by_venue(session: AsyncSession) -> list[VenueReports]:
    """Venues with open reports, the most reported first."""
    rows = await session.execute(
        select(VenueReportRow.venue_id, VenueReportRow.category, func.count())
        .where(VenueReportRow.reviewed_at.is_(None))
        .group_by(VenueReportRow.venue_id, VenueReportRow.category)
    )
    venues: dict[int, dict[Category, int]] = {}
    for venue_id, category, count in rows:
        venues.setdefault(venue_id, {})[Category(category)] = count
    summaries = [
        VenueReports(venue_id, sum(counts.values()), counts) for venue_id, counts in venues.items()
    ]
    return sorted(summaries, key=lambda s: (-s.count, s.venue_id))


async def open_for_venue(session: AsyncSession, venue_id: int, limit: int = 10) -> list[Report]:
    """A venue's open reports, newest first."""
    rows = await session.scalars(
        select(VenueReportRow)
        .where(VenueReportRow.venue_id == venue_id, VenueReportRow.reviewed_at.is_(None))
        .order_by(VenueReportRow.created_at.desc(), VenueReportRow.id.desc())
        .limit(limit)
    )
    return [_to_report(row) for row in rows]


async def count_open_for_venue(session: AsyncSession, venue_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(VenueReportRow)
            .where(VenueReportRow.venue_id == venue_id, VenueReportRow.reviewed_at.is_(None))
        )
    ) or 0


async def mark_reviewed(session: AsyncSession, venue_id: int, reviewer: int, at: datetime) -> int:
    result = await session.execute(
        update(VenueReportRow)
        .where(VenueReportRow.venue_id == venue_id, VenueReportRow.reviewed_at.is_(None))
        .values(reviewed_by=reviewer, reviewed_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def forget_reporter(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(VenueReportRow).where(VenueReportRow.reporter_user_id == user_id))
