"""What handlers work with, built once when the application starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import SessionFactory, create_engine, create_session_factory
from bot.health import HealthChecks
from bot.metrics import Metrics
from bot.migrations import prepare_schema
from bot.settings import Settings
from bot.store import roles
from bot.store.preferences import PreferenceBook
from venues.catalogue import VenueCatalogue
from venues.partnership import Partnership, load_partnership
from venues.places import PlaceFinder, load_gazetteer

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    catalogue: VenueCatalogue
    places: PlaceFinder
    partnership: Partnership
    clock: Clock
    preferences: PreferenceBook
    # /metrics counters and extra /healthz checks; background workers report into them.
    metrics: Metrics = field(default_factory=Metrics)
    health: HealthChecks = field(default_factory=HealthChecks)

    def now(self) -> datetime:
        return self.clock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    async def close(self) -> None:
        await self.places.close()
        await self.engine.dispose()


async def open_services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the database, load the area's data and the venue index."""
    engine = create_engine(settings.database_url)
    try:
        # Refuses a database behind the code's migrations (unless auto-migrate is set).
        await prepare_schema(engine, auto_migrate=settings.auto_migrate)
    except BaseException:
        await engine.dispose()
        raise
    sessions = create_session_factory(engine)
    catalogue = VenueCatalogue(
        sessions,
        timezone=settings.timezone,
        walking_speed_kmh=settings.walking_speed_kmh,
        check_interval_s=settings.index_check_seconds,
    )
    await catalogue.refresh()
    async with sessions() as session, session.begin():
        await roles.bootstrap_admins(session, settings.admin_ids, clock())
    gazetteer = load_gazetteer(settings.data_dir)
    places = PlaceFinder.from_settings(gazetteer, settings)
    preferences = PreferenceBook(sessions, cached=not settings.webhook_mode)
    await preferences.preload()
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        catalogue=catalogue,
        places=places,
        partnership=load_partnership(settings.data_dir),
        clock=clock,
        preferences=preferences,
    )
