"""Accreditations: the schemes a venue holds and the last day each is valid.

A venue imported from a file has schemes without rows here: no expiry is known,
so they stay current. Reminders and expiries are claimed before anyone is told
(an INSERT that a primary key lets through once; an UPDATE … WHERE expired_at IS
NULL), so a message goes out once even with several replicas running the job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AccreditationReminderRow, AccreditationRow


@dataclass(frozen=True, slots=True)
class Accreditation:
    id: int
    venue_id: int
    scheme: str
    expires_on: date | None
    expired_at: datetime | None = None

    def is_current(self, today: date) -> bool:
        """Valid through its last day; no expiry date known means current."""
        return self.expires_on is None or today <= self.expires_on


@dataclass(frozen=True, slots=True)
class DueReminder:
    accreditation: Accreditation
    days_before: int  # the reminder this is (30, 7…)
    days_left: int


def _to_accreditation(row: AccreditationRow) -> Accreditation:
    return Accreditation(row.id, row.venue_id, row.scheme, row.expires_on, row.expired_at)


async def of_venue(session: AsyncSession, venue_id: int) -> list[Accreditation]:
    rows = await session.scalars(
        select(AccreditationRow)
        .where(AccreditationRow.venue_id == venue_id)
        .order_by(AccreditationRow.id)
    )
    return [_to_accreditation(row) for row in rows]


async def expired_schemes(session: AsyncSession, venue_id: int, today: date) -> set[str]:
    """Schemes of a venue whose last day has passed (whether or not the job ran yet)."""
    return {a.scheme for a in await of_venue(session, venue_id) if not a.is_current(today)}


async def record(
    session: AsyncSession, venue_id: int, expiries: Mapping[str, date | None], at: datetime
) -> None:
    """The accreditations given at registration: scheme name → last day (or None)."""
    for scheme, expires_on in expiries.items():
        await set_expiry(session, venue_id, scheme, expires_on, at)


async def set_expiry(
    session: AsyncSession, venue_id: int, scheme: str, expires_on: date | None, at: datetime
) -> Accreditation:
    """Set (or extend, or clear) the last day of one accreditation; a renewed one is
    current again, and its reminders start afresh for the new date."""
    row = await session.scalar(
        select(AccreditationRow).where(
            AccreditationRow.venue_id == venue_id, AccreditationRow.scheme == scheme
        )
    )
    if row is None:
        row = AccreditationRow(venue_id=venue_id, scheme=scheme)
        session.add(row)
    row.expires_on = expires_on
    row.expired_at = None
    row.updated_at = at
    await session.flush()
    return _to_accreditation(row)


# --- the daily job ---------------------------------------------------------------------


async def due_reminders(
    session: AsyncSession, today: date, days_before: Iterable[int]
) -> list[DueReminder]:
    """Unexpired accreditations within a reminder's reach, each with the closest reminder
    due (7 days left: the 7-day one, not the 30-day one too). Whether it was already sent
    is settled by `claim_reminder`."""
    levels = sorted(set(days_before))
    if not levels:
        return []
    rows = await session.scalars(
        select(AccreditationRow)
        .where(
            AccreditationRow.expired_at.is_(None),
            AccreditationRow.expires_on.is_not(None),
            AccreditationRow.expires_on >= today,
            AccreditationRow.expires_on <= today + timedelta(days=levels[-1]),
        )
        .order_by(AccreditationRow.expires_on, AccreditationRow.id)
    )
    due = []
    for row in rows:
        days_left = (row.expires_on - today).days
        level = next(days for days in levels if days_left <= days)
        due.append(DueReminder(_to_accreditation(row), level, days_left))
    return due


async def claim_reminder(
    session: AsyncSession, reminder: DueReminder, levels: Iterable[int], at: datetime
) -> bool:
    """Record a reminder as sent; False when it (or a closer one) already was. The wider
    reminders not yet sent are recorded too, so they never follow a closer one."""
    accreditation = reminder.accreditation
    assert accreditation.expires_on is not None
    sent = set(
        await session.scalars(
            select(AccreditationReminderRow.days_before).where(
                AccreditationReminderRow.accreditation_id == accreditation.id,
                AccreditationReminderRow.expires_on == accreditation.expires_on,
            )
        )
    )
    if any(days <= reminder.days_before for days in sent):
        return False
    wider = [days for days in levels if days > reminder.days_before and days not in sent]
    claimed = await _insert_reminder(session, accreditation, reminder.days_before, at)
    for days in wider:
        await _insert_reminder(session, accreditation, days, at)
    return claimed


async def _insert_reminder(
    session: AsyncSession, accreditation: Accreditation, days_before: int, at: datetime
) -> bool:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(AccreditationReminderRow)
        .values(
            accreditation_id=accreditation.id,
            expires_on=accreditation.expires_on,
            days_before=days_before,
            sent_at=at,
        )
        .on_conflict_do_nothing()
    )
    return result.rowcount == 1


async def due_expiries(session: AsyncSession, today: date) -> list[Accreditation]:
    """Accreditations past their last day that the job has not handled yet."""
    rows = await session.scalars(
        select(AccreditationRow)
        .where(
            AccreditationRow.expired_at.is_(None),
            AccreditationRow.expires_on.is_not(None),
            AccreditationRow.expires_on < today,
        )
        .order_by(AccreditationRow.venue_id, AccreditationRow.id)
    )
    return [_to_accreditation(row) for row in rows]


async def claim_expiry(session: AsyncSession, accreditation_id: int, at: datetime) -> bool:
    result = await session.execute(
        update(AccreditationRow)
        .where(AccreditationRow.id == accreditation_id, AccreditationRow.expired_at.is_(None))
        .values(expired_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
