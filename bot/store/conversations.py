"""Conversation state rows: one per (chat, user), written at every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ConversationRow


@dataclass(frozen=True)
class ConversationRecord:
    chat_id: int
    user_id: int
    name: str
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


def _record(row: ConversationRow) -> ConversationRecord:
    return ConversationRecord(
        row.chat_id, row.user_id, row.name, row.state, dict(row.data or {}), row.updated_at
    )


async def get(session: AsyncSession, chat_id: int, user_id: int) -> ConversationRecord | None:
    row = await session.get(ConversationRow, (chat_id, user_id))
    return _record(row) if row else None


async def chats(session: AsyncSession) -> set[tuple[int, int]]:
    """(chat, user) of every conversation in progress."""
    rows = await session.execute(select(ConversationRow.chat_id, ConversationRow.user_id))
    return {(row.chat_id, row.user_id) for row in rows}


async def save(session: AsyncSession, record: ConversationRecord) -> None:
    row = await session.get(ConversationRow, (record.chat_id, record.user_id))
    if row is None:
        row = ConversationRow(chat_id=record.chat_id, user_id=record.user_id)
        session.add(row)
    row.name, row.state = record.name, record.state
    row.data = dict(record.data)
    row.updated_at = record.updated_at


async def delete_for(session: AsyncSession, chat_id: int, user_id: int) -> bool:
    result = await session.execute(
        delete(ConversationRow).where(
            ConversationRow.chat_id == chat_id, ConversationRow.user_id == user_id
        )
    )
    return result.rowcount > 0


async def claim_stale(
    session: AsyncSession, name: str, before: datetime
) -> list[ConversationRecord]:
    """Delete and return the conversations named `name` idle since before `before`."""
    rows = await session.execute(
        delete(ConversationRow)
        .where(ConversationRow.name == name, ConversationRow.updated_at < before)
        .returning(
            ConversationRow.chat_id,
            ConversationRow.user_id,
            ConversationRow.name,
            ConversationRow.state,
        )
    )
    return [ConversationRecord(r.chat_id, r.user_id, r.name, r.state) for r in rows]


async def forget_user(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(ConversationRow).where(ConversationRow.user_id == user_id))
