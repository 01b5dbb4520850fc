"""A person's own choices: language, simple answers, discreet mode.

A row exists only once someone makes a choice; /forget removes it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import UserSettingsRow


@dataclass(frozen=True, slots=True)
class Preferences:
    language: str | None = None  # None: follow the Telegram app's language
    simple: bool = False  # plain text, no icons, no keyboards
    discreet: bool = False  # delete shared locations after answering; neutral alerts


DEFAULT = Preferences()
_MAX_CACHED = 100_000


async def get(session: AsyncSession, user_id: int) -> Preferences:
    row = await session.get(UserSettingsRow, user_id)
    if row is None:
        return DEFAULT
    return Preferences(row.language, row.simple_mode, row.discreet)


async def get_many(session: AsyncSession, user_ids: list[int]) -> dict[int, Preferences]:
    """Only people who made a choice appear; everyone else has the defaults."""
    if not user_ids:
        return {}
    rows = await session.scalars(
        select(UserSettingsRow).where(UserSettingsRow.user_id.in_(user_ids))
    )
    return {row.user_id: Preferences(row.language, row.simple_mode, row.discreet) for row in rows}


async def update(session: AsyncSession, user_id: int, **changes: object) -> Preferences:
    current = replace(await get(session, user_id), **changes)  # type: ignore[arg-type]
    row = await session.get(UserSettingsRow, user_id)
    if row is None:
        row = UserSettingsRow(user_id=user_id)
        session.add(row)
    row.language, row.simple_mode, row.discreet = current.language, current.simple, current.discreet
    await session.flush()
    return current


class PreferenceBook:
    """Everyone's preferences, read once per update.

    With `cached` (long polling: this process alone receives updates and makes
    every change) choices are kept in memory after the first read; behind a
    webhook with several replicas each update reads the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, cached: bool) -> None:
        self._sessions = sessions
        self._cache: OrderedDict[int, Preferences] | None = OrderedDict() if cached else None
        # After preload(): every choice is in the cache, so anyone else has the defaults
        # and needs no read (most people never make a choice).
        self._complete = False

    async def preload(self) -> None:
        """With the cache: read every choice once, at start."""
        if self._cache is None:
            return
        async with self._sessions() as session:
            count = await session.scalar(select(func.count()).select_from(UserSettingsRow))
            if (count or 0) > _MAX_CACHED:
                return  # too many to hold: read them person by person
            rows = await session.scalars(select(UserSettingsRow))
            for row in rows:
                self._cache[row.user_id] = Preferences(row.language, row.simple_mode, row.discreet)
        self._complete = True

    async def of(self, user_id: int) -> Preferences:
        if self._cache is not None and user_id in self._cache:
            self._cache.move_to_end(user_id)
            return self._cache[user_id]
        if self._complete:
            return DEFAULT
        async with self._sessions() as session:
            found = await get(session, user_id)
        self._remember(user_id, found)
        return found

    async def change(self, user_id: int, **changes: object) -> Preferences:
        async with self._sessions() as session, session.begin():
            changed = await update(session, user_id, **changes)
        self._remember(user_id, changed)
        return changed

    def forget(self, user_id: int) -> None:
        """After /forget deleted the row: back to the defaults."""
        self._remember(user_id, DEFAULT)

    def _remember(self, user_id: int, preferences: Preferences) -> None:
        if self._cache is None:
            return
        self._cache[user_id] = preferences
        self._cache.move_to_end(user_id)
        if len(self._cache) > _MAX_CACHED:
            self._cache.popitem(last=False)
            self._complete = False  # someone's choice left the cache
