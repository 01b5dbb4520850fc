"""Venue applications: a new venue or a change of place or kind, waiting for review.

A decision is one conditional UPDATE (`… WHERE status = 'pending'`): when two
members of staff (or two replicas) decide at once, exactly one of them changes
the row, and only that one goes on to change the venue and tell the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ReviewCardRow, VenueApplicationRow
from bot.store import audit, roles
from venues import repository
from venues.model import Venue, VenueKind, VenueStatus


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Purpose(StrEnum):
    NEW = "new"  # a venue registered with /register, stored pending
    CHANGE = "change"  # an approved venue moved or changed kind


# The fields a change may carry; anything else in a stored change is ignored.
CHANGE_FIELDS = ("latitude", "longitude", "address", "postcode", "kind")


@dataclass(frozen=True, slots=True)
class Applicant:
    user_id: int
    chat_id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    venue_id: int
    purpose: Purpose
    status: Status
    submitted_at: datetime
    applicant_user_id: int | None = None
    applicant_chat_id: int | None = None
    applicant_name: str | None = None
    applicant_role: str | None = None
    change: dict[str, Any] = field(default_factory=dict)
    reviewed_by: int | None = None
    reviewer_name: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What deciding did: `won` when this call made the decision; `application` as it
    stands now (decided by whoever won); `venue` after the change, for the winner."""

    won: bool
    application: Application
    venue: Venue | None = None


def _to_application(row: VenueApplicationRow) -> Application:
    return Application(
        id=row.id,
        venue_id=row.venue_id,
        purpose=Purpose(row.purpose),
        status=Status(row.status),
        submitted_at=row.submitted_at,
        applicant_user_id=row.applicant_user_id,
        applicant_chat_id=row.applicant_chat_id,
        applicant_name=row.applicant_name,
        applicant_role=row.applicant_role,
        change=dict(row.change or {}),
        reviewed_by=row.reviewed_by,
        reviewer_name=row.reviewer_name,
        reviewed_at=row.reviewed_at,
        reason=row.reason,
    )


# --- submitting ----------------------------------------------------------------------


async def submit(
    session: AsyncSession,
    *,
    venue_id: int,
    purpose: Purpose,
    applicant: Applicant,
    at: datetime,
    change: dict[str, Any] | None = None,
) -> Application:
    row = VenueApplicationRow(
        venue_id=venue_id,
        purpose=purpose.value,
        change={k: v for k, v in (change or {}).items() if k in CHANGE_FIELDS},
        applicant_user_id=applicant.user_id,
        applicant_chat_id=applicant.chat_id,
        applicant_name=applicant.name,
        applicant_role=applicant.role,
        status=Status.PENDING.value,
        submitted_at=at,
    )
    session.add(row)
    await session.flush()
    return _to_application(row)


# --- reading -------------------------------------------------------------------------


async def get(session: AsyncSession, application_id: int) -> Application | None:
    row = await session.get(VenueApplicationRow, application_id, populate_existing=True)
    return _to_application(row) if row else None


async def pending(session: AsyncSession, limit: int = 100) -> list[Application]:
    """What waits for review, oldest first."""
    rows = await session.scalars(
        select(VenueApplicationRow)
        .where(VenueApplicationRow.status == Status.PENDING.value)
        .order_by(VenueApplicationRow.submitted_at, VenueApplicationRow.id)
        .limit(limit)
    )
    return [_to_application(row) for row in rows]


async def count_pending(session: AsyncSession) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(VenueApplicationRow)
            .where(VenueApplicationRow.status == Status.PENDING.value)
        )
    ) or 0


async def count_pending_by(session: AsyncSession, user_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(VenueApplicationRow)
            .where(
                VenueApplicationRow.applicant_user_id == user_id,
                VenueApplicationRow.status == Status.PENDING.value,
            )
        )
    ) or 0


async def pending_change_for(session: AsyncSession, venue_id: int) -> Application | None:
    row = await session.scalar(
        select(VenueApplicationRow).where(
            VenueApplicationRow.venue_id == venue_id,
            VenueApplicationRow.purpose == Purpose.CHANGE.value,
            VenueApplicationRow.status == Status.PENDING.value,
        )
    )
    return _to_application(row) if row else None


# --- deciding ------------------------------------------------------------------------


async def _decide(
    session: AsyncSession,
    application_id: int,
    status: Status,
    reviewer_id: int,
    reviewer_name: str,
    at: datetime,
    reason: str | None = None,
) -> Decision | None:
    """Claim the decision; None when there is no such application."""
    result = await session.execute(
        update(VenueApplicationRow)
        .where(
            VenueApplicationRow.id == application_id,
            VenueApplicationRow.status == Status.PENDING.value,
        )
        .values(
            status=status.value,
            reviewed_by=reviewer_id,
            reviewer_name=reviewer_name[:120],
            reviewed_at=at,
            reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    application = await get(session, application_id)
    if application is None:
        return None
    return Decision(won=result.rowcount == 1, application=application)


async def approve(
    session: AsyncSession,
    application_id: int,
    *,
    reviewer_id: int,
    reviewer_name: str,
    at: datetime,
) -> Decision | None:
    """Approve, if nobody decided first: a new venue goes live and its applicant becomes
    its staff; a change is applied. Audited."""
    decision = await _decide(
        session, application_id, Status.APPROVED, reviewer_id, reviewer_name, at
    )
    if decision is None or not decision.won:
        return decision
    application = decision.application
    if application.purpose is Purpose.NEW:
        venue = await repository.set_status(session, application.venue_id, VenueStatus.ACTIVE)
        if application.applicant_user_id is not None:
            await roles.link_venue_staff(
                session, application.applicant_user_id, venue.id, reviewer_id, at
            )
    else:
        venue = await _apply_change(session, application)
    await audit.record(
        session,
        actor_id=reviewer_id,
        action=f"approve_{application.purpose.value}",
        target_type="venue",
        target_id=application.venue_id,
        at=at,
        detail={"application": application.id},
    )
    return Decision(won=True, application=application, venue=venue)


async def _apply_change(session: AsyncSession, application: Application) -> Venue:
    venue = await repository.get_venue(session, application.venue_id)
    if venue is None:
        raise repository.VenueNotFoundError(application.venue_id)
    change = application.change
    draft = repository.draft_of(venue)
    draft = replace(
        draft,
        kind=VenueKind(change.get("kind", draft.kind)),
        address=change.get("address", draft.address),
        postcode=change.get("postcode", draft.postcode),
        latitude=float(change.get("latitude", draft.latitude)),
        longitude=float(change.get("longitude", draft.longitude)),
    )
    return await repository.update_venue(session, venue.id, draft)


async def reject(
    session: AsyncSession,
    application_id: int,
    *,
    reviewer_id: int,
    reviewer_name: str,
    reason: str,
    at: datetime,
) -> Decision | None:
    """Reject, if nobody decided first: a new venue is marked rejected (never shown); a
    change is dropped and the venue stays as it was. Audited."""
    decision = await _decide(
        session, application_id, Status.REJECTED, reviewer_id, reviewer_name, at, reason
    )
    if decision is None or not decision.won:
        return decision
    application = decision.application
    if application.purpose is Purpose.NEW:
        venue = await repository.set_status(session, application.venue_id, VenueStatus.REJECTED)
    else:
        venue = await repository.get_venue(session, application.venue_id)
    await audit.record(
        session,
        actor_id=reviewer_id,
        action=f"reject_{application.purpose.value}",
        target_type="venue",
        target_id=application.venue_id,
        at=at,
        detail={"application": application.id, "reason": reason},
    )
    return Decision(won=True, application=application, venue=venue)


# --- review cards --------------------------------------------------------------------


async def add_card(
    session: AsyncSession, application_id: int, chat_id: int, message_id: int
) -> None:
    session.add(
        ReviewCardRow(application_id=application_id, chat_id=chat_id, message_id=message_id)
    )
    await session.flush()


async def cards(session: AsyncSession, application_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every card shown for an application."""
    rows = await session.execute(
        select(ReviewCardRow.chat_id, ReviewCardRow.message_id)
        .where(ReviewCardRow.application_id == application_id)
        .order_by(ReviewCardRow.chat_id, ReviewCardRow.message_id)
    )
    return [(chat_id, message_id) for chat_id, message_id in rows]


# --- forgetting ----------------------------------------------------------------------


async def forget_applicant(session: AsyncSession, user_id: int) -> None:
    """Blank what an applicant told us about themselves (the decisions stay)."""
    await session.execute(
        update(VenueApplicationRow)
        .where(VenueApplicationRow.applicant_user_id == user_id)
        .values(
            applicant_user_id=None,
            applicant_chat_id=None,
            applicant_name=None,
            applicant_role=None,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(ReviewCardRow).where(ReviewCardRow.chat_id == user_id))
