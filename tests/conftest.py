"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL
whenever NIGHTSAFE_TEST_DATABASE_URL is set (then a connection failure fails)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import PTB_TIMEDELTA
from bot.db import SessionFactory, create_engine, create_schema, create_session_factory
from bot.migrations import stamp_head
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
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await _create_at_head(engine)
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
            await _create_at_head(engine)
    finally:
        await engine.dispose()
    return url


async def _create_at_head(engine: AsyncEngine) -> None:
    """Tables from the models, stamped with the code's migration revision: as a migrated
    database, in milliseconds (test_migrations checks the migrations make the same schema)."""
    await create_schema(engine)
    await stamp_head(engine)


@pytest.fixture
async def scratch_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A URL to a brand-new empty database (no tables): a SQLite file, or on PostgreSQL a
    database of its own beside the test database, dropped afterwards."""
    server_url = postgres_test_url()
    if server_url is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'nightsafe-scratch.db'}"
        return
    name = f"nightsafe_scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)
