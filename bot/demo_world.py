"""The demo's world: the local Bot API server, the real NightSafe bot polling it on
a demo database seeded with the demo venues, one simulated user, a movable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from bot.app import NightSafeApplication, build_application
from bot.db import create_engine, create_schema, create_session_factory
from bot.local_api import LocalBotApiServer, SimulatedUser, all_handled, polling
from bot.services import Services
from bot.settings import Settings
from bot.store import roles
from venues import repository
from venues.csvio import import_venues, parse_venue_csv

DEMO_USER_ID = 1001
DEMO_USER_NAME = "Alex"
DEMO_VENUES_FILE = "demo_venues.csv"


@dataclass
class DemoClock:
    """The real time, shifted: `/at` moves the demo to another moment, and time
    runs on from there as it does in a real night."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> float:
        return self().timestamp()

    def move_to(self, moment: datetime | None) -> None:
        """None: back to the real time."""
        self.offset = timedelta(0) if moment is None else moment - datetime.now(UTC)


@dataclass
class DemoWorld:
    server: LocalBotApiServer
    application: NightSafeApplication
    user: SimulatedUser
    clock: DemoClock
    settings: Settings

    @property
    def services(self) -> Services:
        services = self.application.bot_data.services
        assert services is not None, "the bot has not started"
        return services

    async def make_staff(self) -> bool:
        """Grant the demo user the partnership role; False when they already have it."""
        async with self.services.sessions() as session, session.begin():
            return await roles.grant_partnership(session, self.user.id, None, self.clock())

    async def settle(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched every update and finished handling it."""
        await all_handled(self.server, self.application, timeout)


def demo_settings(
    settings: Settings, server: LocalBotApiServer, database: Path, *, staff: bool
) -> Settings:
    """The deployment's settings, pointed at the local server and the demo database,
    offline whatever the environment says."""
    admin_ids = [*settings.admin_ids, DEMO_USER_ID] if staff else settings.admin_ids
    return settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(server.token),
            "telegram_api_base_url": server.base_url,
            "database_url": f"sqlite+aiosqlite:///{database.resolve()}",
            "admin_ids": admin_ids,
            "geocoder": "off",
        }
    )


async def seed_demo_venues(settings: Settings) -> int:
    """Load the demo venues into an empty register; a register with venues is kept."""
    engine = create_engine(settings.database_url)
    try:
        await create_schema(engine)
        async with create_session_factory(engine)() as session, session.begin():
            if await repository.list_venues(session):
                return 0
            csv_text = (settings.data_dir / DEMO_VENUES_FILE).read_text(encoding="utf-8")
            # Every demo row has coordinates: no postcode needs placing.
            plan = parse_venue_csv(csv_text, area=settings.area, place_postcode=lambda _: None)
            summary = await import_venues(session, plan)
            return summary.created + summary.updated
    finally:
        await engine.dispose()


@asynccontextmanager
async def running_demo(
    settings: Settings, database: Path, *, staff: bool = False
) -> AsyncIterator[DemoWorld]:
    clock = DemoClock()
    async with LocalBotApiServer(port=0, wall_clock=clock.timestamp) as server:
        bot_settings = demo_settings(settings, server, database, staff=staff)
        await seed_demo_venues(bot_settings)
        application = build_application(bot_settings, clock=clock)
        user = server.user(DEMO_USER_ID, DEMO_USER_NAME)
        async with polling(application):
            yield DemoWorld(server, application, user, clock, bot_settings)
