"""The update inbox: what the webhook recorded before answering Telegram, keyed by update_id.

A row is claimed by the replica that handles it, until a lease ends; a replica that
restarts takes back its own rows at once, and any replica takes over rows whose lease
ran out (their replica is gone). Times here are wall-clock times: they measure leases.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import InboxUpdateRow


class Recorded(StrEnum):
    NEW = "new"  # first delivery: stored and claimed by this replica
    DUPLICATE = "duplicate"  # delivered before and safe (stored or handled): nothing to do
    RECLAIMED = "reclaimed"  # delivered before without a payload, never handled: handle it now
    BUSY = "busy"  # delivered before without a payload, another replica is handling it


@dataclass(frozen=True, slots=True)
class InboxEntry:
    update_id: int
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Claim:
    """Who claims, at what time, until when."""

    replica: str
    now: datetime
    until: datetime


def _claimable(claim: Claim) -> ColumnElement[bool]:
    """Unhandled, and either ours or its lease has run out."""
    return InboxUpdateRow.handled_at.is_(None) & or_(
        InboxUpdateRow.claimed_by == claim.replica, InboxUpdateRow.claimed_until < claim.now
    )


def _expired(claim: Claim) -> ColumnElement[bool]:
    """Unhandled, and whoever claimed it (this replica too) let the lease run out."""
    return InboxUpdateRow.handled_at.is_(None) & (InboxUpdateRow.claimed_until < claim.now)


def _insert_new(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(InboxUpdateRow)


async def record(
    session: AsyncSession,
    update_id: int,
    kind: str,
    payload: dict[str, Any] | None,
    claim: Claim,
) -> Recorded:
    """Store a delivered update once; a re-delivery is recognised by its update_id."""
    values = {
        "update_id": update_id,
        "kind": kind,
        "payload": payload,
        "received_at": claim.now,
        "claimed_by": claim.replica,
        "claimed_until": claim.until,
    }
    inserted = await session.execute(
        _insert_new(session).values(values).on_conflict_do_nothing(index_elements=["update_id"])
    )
    if inserted.rowcount == 1:  # type: ignore[attr-defined]
        return Recorded.NEW
    row = await session.get(InboxUpdateRow, update_id)
    if row is None or row.handled_at is not None or row.payload is not None:
        return Recorded.DUPLICATE
    return Recorded.RECLAIMED if await take(session, update_id, claim) else Recorded.BUSY


async def take(session: AsyncSession, update_id: int, claim: Claim) -> bool:
    """Claim (or extend the claim on) one unhandled update; False if another replica has it."""
    return await _take_if(session, update_id, claim, _claimable(claim))


async def _take_if(
    session: AsyncSession, update_id: int, claim: Claim, condition: ColumnElement[bool]
) -> bool:
    result = await session.execute(
        update(InboxUpdateRow)
        .where(InboxUpdateRow.update_id == update_id, condition)
        .values(claimed_by=claim.replica, claimed_until=claim.until)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def take_unhandled(
    session: AsyncSession,
    claim: Claim,
    *,
    own: bool,
    skip: Container[int] = (),
    limit: int = 100,
) -> list[InboxEntry]:
    """Claim stored updates nobody is handling, oldest first: those whose claim ran out
    (their replica died, or handling failed) and, with `own`, this replica's own
    (after a restart). `skip`: ids this replica has queued already."""
    claimable = _claimable(claim) if own else _expired(claim)
    rows = await session.execute(
        select(InboxUpdateRow.update_id, InboxUpdateRow.kind, InboxUpdateRow.payload)
        .where(InboxUpdateRow.payload.is_not(None), claimable)
        .order_by(InboxUpdateRow.update_id)
        .limit(limit)
    )
    taken = []
    for update_id, kind, payload in rows.all():
        if update_id in skip:
            continue
        # Compare-and-set, one row at a time: another replica may be sweeping too.
        if await _take_if(session, update_id, claim, claimable):
            taken.append(InboxEntry(update_id, kind, payload))
    return taken


async def mark_handled(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Handled: keep the id (for re-deliveries), erase what the person sent."""
    await session.execute(
        update(InboxUpdateRow)
        .where(InboxUpdateRow.update_id == update_id)
        .values(handled_at=now, payload=None)
    )


async def release(session: AsyncSession, replica: str, now: datetime) -> int:
    """On a clean stop: let other replicas take this replica's unhandled updates at once."""
    result = await session.execute(
        update(InboxUpdateRow)
        .where(InboxUpdateRow.claimed_by == replica, InboxUpdateRow.handled_at.is_(None))
        .values(claimed_until=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget ids handled before `before` (and unstored ones never re-delivered since)."""
    result = await session.execute(
        delete(InboxUpdateRow).where(
            or_(
                InboxUpdateRow.handled_at < before,
                InboxUpdateRow.handled_at.is_(None)
                & InboxUpdateRow.payload.is_(None)
                & (InboxUpdateRow.received_at < before),
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def unhandled_count(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(InboxUpdateRow).where(InboxUpdateRow.handled_at.is_(None))
    )
    return int(count or 0)
