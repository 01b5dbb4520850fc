"""Alembic's entry: runs migrations on the database of the settings (DATABASE_URL),
or on a connection handed over by bot.migrations (`python bot.py migrate`, tests)."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.db import create_engine
from bot.migrations import MIGRATION_OPTIONS
from bot.settings import Settings

config = context.config


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **MIGRATION_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    context.configure(url=_database_url(), literal_binds=True, **MIGRATION_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


handed_over = config.attributes.get("connection")
if handed_over is not None:
    _run(handed_over)
else:
    if config.config_file_name is not None:  # the `alembic` command line
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        _run_offline()
    else:
        asyncio.run(_run_async())
