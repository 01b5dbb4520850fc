"""The live venue catalogue: the spatial index of public venues, rebuilt from the
database whenever the register changes.

Every venue change bumps the register's version in the same transaction, so a
refresh costs one small query when nothing changed — cheap enough to run before
answering, which also keeps other replicas of the bot current.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venues import repository
from venues.locator import VenueIndex

logger = logging.getLogger(__name__)


class VenueCatalogue:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        timezone: str = "Europe/London",
        walking_speed_kmh: float = 4.8,
        check_interval_s: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._timezone = timezone
        self._walking_speed_kmh = walking_speed_kmh
        self._check_interval_s = check_interval_s
        self._index = VenueIndex.build([], timezone=timezone, walking_speed_kmh=walking_speed_kmh)
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def index(self) -> VenueIndex:
        return self._index

    @property
    def loaded(self) -> bool:
        return self._version is not None

    @property
    def version(self) -> int | None:
        return self._version

    async def refresh(self) -> bool:
        """Rebuild the index if the register changed since the last build."""
        async with self._lock:
            self._checked_at = time.monotonic()
            async with self._sessions() as session:
                version = await repository.register_version(session)
                if version == self._version:
                    return False
                venues = await repository.list_public_venues(session)
            self._index = VenueIndex.build(
                venues, timezone=self._timezone, walking_speed_kmh=self._walking_speed_kmh
            )
            self._version = version
            logger.info("venue index rebuilt: %d public venues (version %d)", len(venues), version)
            return True

    async def current(self) -> VenueIndex:
        """The index, after a version check at most every `check_interval_s`."""
        if time.monotonic() - self._checked_at >= self._check_interval_s:
            await self.refresh()
        return self._index
