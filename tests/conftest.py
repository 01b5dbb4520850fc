"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL
whenever NIGHTSAFE_TEST_DATABASE_URL is set (then a connection failure fails)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import PTB_TIMEDELTA
from bot.db import SessionFactory, create_engine, create_schema, create_session_factory
from venues.orm import Base

POSTGRES_TEST_URL_ENV = "NIGHTSAFE_TEST_DATABASE_URL"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_postgres_schema_ready = False


def postgres_test_url() -> str | None:
    return os.environ.get(POSTGRES_TEST_URL_ENV) or None


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into python-telegram-bot's timedelta time periods, as bot.py does."""
    monkeypatch.setenv(PTB_TIMEDELTA, "true")


@pytest.fixture
def shared_data() -> Path:
    """The reference data beside the project (../shared/data), read in place."""
    assert SHARED_DATA.is_dir(), f"reference data missing: {SHARED_DATA}"
    return SHARED_DATA


async def _reset_postgres(engine: AsyncEngine) -> None:
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
        await create_schema(engine)
        _postgres_schema_ready = True
        return
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    if tables:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """A URL to an empty database with every table created."""
    url = postgres_test_url() or f"sqlite+aiosqlite:///{tmp_path / 'nightsafe-test.db'}"
    engine = create_engine(url)
    try:
        if postgres_test_url():
            await _reset_postgres(engine)
        else:
            await create_schema(engine)
    finally:
        await engine.dispose()
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)
