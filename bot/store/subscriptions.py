"""Alert subscribers: a chat id, the zones chosen and optional quiet hours — never a location."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import SubscriberRow

_CLOCK_TIME = re.compile(r"^(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)$")


def parse_clock_time(value: str | None) -> time | None:
    """ "HH:MM" (24-hour) → time; anything else → None."""
    match = _CLOCK_TIME.match(value or "")
    return time(int(match["hour"]), int(match["minute"])) if match else None


def quiet_hours_end(
    quiet_from: str | None, quiet_until: str | None, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """When the quiet hours that `now` falls in end (aware UTC); None when `now` is not
    in quiet hours. Hours are local wall-clock times and may run past midnight."""
    start, end = parse_clock_time(quiet_from), parse_clock_time(quiet_until)
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet, ends_on = start <= clock < end, local.date()
    elif clock >= start:  # e.g. 23:00–07:00, now 23:30: ends tomorrow morning
        quiet, ends_on = True, local.date() + timedelta(days=1)
    else:
        quiet, ends_on = clock < end, local.date()
    if not quiet:
        return None
    return datetime.combine(ends_on, end, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    zones: tuple[str, ...]
    language: str
    quiet_from: str | None = None
    quiet_until: str | None = None

    def quiet_until_after(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When this person's quiet hours around `now` end, or None if they are not quiet."""
        return quiet_hours_end(self.quiet_from, self.quiet_until, now, zone)


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
    """Set (both "HH:MM") or clear (both None) a subscriber's quiet hours; False when
    they are not subscribed."""
    if (quiet_from is None) != (quiet_until is None):
        raise ValueError("quiet hours need both ends, or neither")
    if quiet_from is not None and (
        parse_clock_time(quiet_from) is None or parse_clock_time(quiet_until) is None
    ):
        raise ValueError("quiet hours are HH:MM")
    row = await session.get(SubscriberRow, chat_id)
    if row is None:
        return False
    row.quiet_from, row.quiet_until = quiet_from, quiet_until
    await session.flush()
    return True


async def unsubscribe(session: AsyncSession, chat_id: int) -> bool:
    result = await session.execute(delete(SubscriberRow).where(SubscriberRow.chat_id == chat_id))
    return result.rowcount > 0


async def unsubscribe_all(session: AsyncSession, chat_ids: Collection[int]) -> int:
    """Unsubscribe many at once (people who blocked the bot); how many were subscribed."""
    if not chat_ids:
        return 0
    result = await session.execute(
        delete(SubscriberRow).where(SubscriberRow.chat_id.in_(list(chat_ids)))
    )
    return result.rowcount or 0


async def list_all(session: AsyncSession) -> list[Subscription]:
    rows = await session.scalars(select(SubscriberRow).order_by(SubscriberRow.chat_id))
    return [_to_subscription(row) for row in rows]
