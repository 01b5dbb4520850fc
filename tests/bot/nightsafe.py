"""The NightSafe bot under test: the real Application, built by `build_application`,
polling the local Bot API server, on a fresh database seeded with the demo venues."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.app import build_application
from bot.db import create_engine, create_session_factory
from bot.local_api import LocalBotApiServer, SimulatedUser
from bot.local_api.harness import all_handled, polling
from bot.services import Services
from bot.settings import PROJECT_ROOT, Settings
from venues.csvio import import_venues, parse_venue_csv
from venues.orm import Base

DEMO_VENUES = PROJECT_ROOT / "data" / "demo_venues.csv"
# Saturday 28 November 2026, 23:40 in London (GMT, so UTC too).
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 40, tzinfo=UTC)


@dataclass
class FrozenClock:
    now: datetime = SATURDAY_NIGHT

    def __call__(self) -> datetime:
        return self.now


@dataclass
class NightSafe:
    server: LocalBotApiServer
    application: Any
    clock: FrozenClock
    settings: Settings
    _users: dict[int, SimulatedUser] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services = self.application.bot_data.services
        assert services is not None
        return services

    def user(self, user_id: int = 1001, first_name: str = "Alex", **kw: Any) -> SimulatedUser:
        if user_id not in self._users:
            self._users[user_id] = self.server.user(user_id, first_name, **kw)
        return self._users[user_id]

    async def all_handled(self) -> None:
        """Every update sent so far is fetched and fully handled."""
        await all_handled(self.server, self.application)


def make_settings(server: LocalBotApiServer, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "DATABASE_URL": database_url,
        "NIGHTSAFE_INDEX_CHECK_SECONDS": 0,
        # Tests talk fast; the pacing itself is tested on its own (test_ratelimit).
        "NIGHTSAFE_PER_CHAT_SEND_RATE": 1000,
        # Scripted users type faster than people; flood control has its own tests.
        "NIGHTSAFE_USER_BURST": 1000,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def _demo_csv() -> str:
    return DEMO_VENUES.read_text(encoding="utf-8")


async def seed_venues(database_url: str, csv_text: str | None = None) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    plan = parse_venue_csv(
        csv_text if csv_text is not None else _demo_csv(),
        area=settings.area,
        place_postcode=lambda _: None,
    )
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await import_venues(session, plan)
    finally:
        await engine.dispose()


@asynccontextmanager
async def running_nightsafe(
    server: LocalBotApiServer, database_url: str, *, seed: bool = True, **overrides: Any
) -> AsyncIterator[NightSafe]:
    if seed:
        await seed_venues(database_url)
    settings = make_settings(server, database_url, **overrides)
    clock = FrozenClock()
    application = build_application(settings, clock=clock)
    async with polling(application):
        yield NightSafe(server, application, clock, settings)


async def all_rows(bot: NightSafe) -> str:
    """Every row of every table, as text: what a privacy check searches."""
    dump = []
    async with bot.services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            dump.extend(repr(tuple(row)) for row in rows)
    return "\n".join(dump)
