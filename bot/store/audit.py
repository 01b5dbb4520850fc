"""The audit log: every staff action, who did it, on what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: int
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any]
    at: datetime


async def record(
    session: AsyncSession,
    *,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: object,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditRow(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            detail=detail or {},
            at=at,
        )
    )
    await session.flush()


async def entries(session: AsyncSession, *, limit: int = 100) -> list[AuditEntry]:
    rows = await session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
    return [
        AuditEntry(r.actor_id, r.action, r.target_type, r.target_id, dict(r.detail), r.at)
        for r in rows
    ]
