"""Migrations (Alembic) on SQLite and PostgreSQL: they build exactly what the models
describe, the bot refuses a database behind them, `python bot.py migrate` fixes that."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine, create_schema
from bot.migrations import (
    MIGRATE_COMMAND,
    SchemaError,
    head_revision,
    prepare_schema,
    schema_differences,
    schema_state,
    upgrade,
)
from bot.settings import PROJECT_ROOT
from venues.orm import Base

NEW_MIGRATION = 'alembic revision --autogenerate -m "what changed"'


@pytest.fixture
async def scratch_engine(scratch_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(scratch_database_url)
    yield engine
    await engine.dispose()


async def _differences(engine: AsyncEngine, metadata: MetaData = Base.metadata) -> list[object]:
    async with engine.connect() as connection:
        return await connection.run_sync(schema_differences, metadata)


async def test_migrations_build_exactly_the_schema_the_models_describe(
    scratch_engine: AsyncEngine,
) -> None:
    assert await upgrade(scratch_engine) == (None, head_revision())
    differences = await _differences(scratch_engine)
    assert differences == [], (
        "the models and the migrations in alembic/versions differ — a table or column "
        f"without a migration? Run `{NEW_MIGRATION}` and review the file "
        f"(docs/RUNNING.md). Differences: {differences}"
    )
    state = await schema_state(scratch_engine)
    assert state.current
    assert {table.name for table in Base.metadata.sorted_tables} <= state.tables


async def test_migrations_check_catches_a_table_without_a_migration(
    scratch_engine: AsyncEngine,
) -> None:
    await upgrade(scratch_engine)
    tomorrow = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(tomorrow)
    Table("venue_ratings", tomorrow, Column("id", Integer, primary_key=True))
    differences = await _differences(scratch_engine, tomorrow)
    assert [(d[0], d[1].name) for d in differences] == [("add_table", "venue_ratings")]


async def test_migrations_bot_refuses_a_database_behind_the_code_unless_told_to_migrate(
    scratch_engine: AsyncEngine,
) -> None:
    with pytest.raises(SchemaError) as refused:
        await prepare_schema(scratch_engine, auto_migrate=False)
    assert f"Run `{MIGRATE_COMMAND}`" in str(refused.value)
    assert "NIGHTSAFE_AUTO_MIGRATE=true" in str(refused.value)
    assert (await schema_state(scratch_engine)).tables == frozenset()  # nothing was touched

    await prepare_schema(scratch_engine, auto_migrate=True)
    assert (await schema_state(scratch_engine)).current
    assert await _differences(scratch_engine) == []


async def test_migrations_adopt_a_database_made_from_the_models(
    scratch_engine: AsyncEngine,
) -> None:
    # The demo and older tools make tables straight from the models (create_all).
    await create_schema(scratch_engine)
    assert (await schema_state(scratch_engine)).revision is None
    await prepare_schema(scratch_engine, auto_migrate=False)
    assert (await schema_state(scratch_engine)).current


async def _bot_py(*arguments: str, database_url: str, cwd: Path) -> tuple[int, str]:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT_ROOT / "bot.py"),
        *arguments,
        env={**environment, "TELEGRAM_BOT_TOKEN": "123:token-never-used"},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_migrations_bot_py_refuses_to_run_then_migrate_brings_the_database_up(
    scratch_database_url: str, scratch_engine: AsyncEngine, tmp_path: Path
) -> None:
    code, output = await _bot_py(database_url=scratch_database_url, cwd=tmp_path)
    assert code == 1
    assert f"Run `{MIGRATE_COMMAND}`" in output

    code, output = await _bot_py("migrate", database_url=scratch_database_url, cwd=tmp_path)
    assert code == 0, output
    assert f"to revision {head_revision()}" in output
    assert (await schema_state(scratch_engine)).current
    # Once more changes nothing.
    assert await upgrade(scratch_engine) == (head_revision(), head_revision())
