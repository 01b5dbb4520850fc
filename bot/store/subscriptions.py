"""Alert subscribers: a chat id and the zones chosen — never a location."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import SubscriberRow


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    zones: tuple[str, ...]
    language: str
    quiet_from: str | None = None
    quiet_until: str | None = None


def _to_subscription(row: SubscriberRow) -> Subscription:
    return Subscription(
        row.chat_id, tuple(row.zones), row.language, row.quiet_from, row.quiet_until
    )


async def get(session: AsyncSession, chat_id: int) -> Subscription | None:
    row = await session.get(SubscriberRow, chat_id)
    return _to_subscription(row) if row else None


async def subscribe(
    session: AsyncSession, chat_id: int, zones: list[str], language: str
) -> Subscription:
    row = await session.get(SubscriberRow, chat_id)
    if row is None:
        row = SubscriberRow(chat_id=chat_id, zones=list(zones), language=language)
        session.add(row)
    else:
        row.zones = list(zones)
        row.language = language
    await session.flush()
    return _to_subscription(row)


async def set_quiet_hours(
    session: AsyncSession, chat_id: int, quiet_from: str | None, quiet_until: str | None
) -> bool:
    row = await session.get(SubscriberRow, chat_id)
    if row is None:
        return False
    row.quiet_from, row.quiet_until = quiet_from, quiet_until
    return True


async def unsubscribe(session: AsyncSession, chat_id: int) -> bool:
    result = await session.execute(delete(SubscriberRow).where(SubscriberRow.chat_id == chat_id))
    return result.rowcount > 0


async def list_all(session: AsyncSession) -> list[Subscription]:
    rows = await session.scalars(select(SubscriberRow).order_by(SubscriberRow.chat_id))
    return [_to_subscription(row) for row in rows]
