"""The database schema's history (Alembic, in alembic/ at the repo root).

`python bot.py migrate` brings a database to the code's revision. At start the bot
checks the revision and refuses to run on a database behind it (unless
NIGHTSAFE_AUTO_MIGRATE is set): an old schema fails in surprising places later.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, TypeDecorator, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.models  # noqa: F401 - registers the bot's tables on Base.metadata
from bot.db import create_engine
from bot.settings import PROJECT_ROOT
from venues.orm import Base

logger = logging.getLogger(__name__)

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
ALEMBIC_DIR = PROJECT_ROOT / "alembic"
MIGRATE_COMMAND = "python bot.py migrate"
AUTO_MIGRATE_SETTING = "NIGHTSAFE_AUTO_MIGRATE"
# Replicas migrating on start at the same moment take turns on PostgreSQL.
_MIGRATION_LOCK_KEY = 7_346_023_118


class SchemaError(Exception):
    """The database's schema does not fit this code; the message says what to do."""


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations spell a custom column type as what it stores (UTCDateTime →
    # sa.DateTime(timezone=True)), so they never depend on today's application code.
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


# One set of options for env.py (migrations, autogenerate) and the schema checks.
MIGRATION_OPTIONS: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "compare_type": True,
    "render_as_batch": True,  # SQLite alters tables by copying them
    "render_item": _render_item,
}


def alembic_config(database_url: str | None = None) -> Config:
    """The project's Alembic config; env.py reads DATABASE_URL when no URL is given."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:
        raise SchemaError("alembic/versions holds no migration")
    return head


@dataclass(frozen=True, slots=True)
class SchemaState:
    revision: str | None  # the database's, None when it has no migration history
    head: str  # the code's
    tables: frozenset[str]  # the tables the database holds

    @property
    def current(self) -> bool:
        return self.revision == self.head

    @property
    def known(self) -> bool:
        """The database's revision is one this code has (so it is behind or current)."""
        return self.revision is None or _scripts().get_revision(self.revision) is not None


def _state(connection: Connection) -> SchemaState:
    revision = MigrationContext.configure(connection).get_current_revision()
    tables = frozenset(inspect(connection).get_table_names())
    return SchemaState(revision, head_revision(), tables - {"alembic_version"})


async def schema_state(engine: AsyncEngine) -> SchemaState:
    async with engine.connect() as connection:
        return await connection.run_sync(_state)


def schema_differences(connection: Connection, metadata: MetaData = Base.metadata) -> list[Any]:
    """How the database differs from the models (Alembic's autogenerate diff): empty when
    the migrations built exactly what the models describe."""
    options = {k: v for k, v in MIGRATION_OPTIONS.items() if k != "render_item"}
    context = MigrationContext.configure(connection, opts={**options, "target_metadata": metadata})
    return list(compare_metadata(context, metadata))


def _stamp_head(connection: Connection) -> None:
    context = MigrationContext.configure(connection)
    context.stamp(_scripts(), "head")


async def stamp_head(engine: AsyncEngine) -> None:
    """Record the code's revision without running migrations: for a database whose
    tables were just made from the models (tests, the demo)."""
    async with engine.begin() as connection:
        await connection.run_sync(_stamp_head)


def _adopt(connection: Connection) -> bool:
    """A database made from the models without migrations (create_all) is at head if
    nothing differs; stamp it so. False when it differs (or holds no tables at all)."""
    state = _state(connection)
    if state.revision is not None or not state.tables:
        return False
    differences = schema_differences(connection)
    if differences:
        raise SchemaError(
            "the database has NightSafe tables but no migration history, and they differ "
            f"from this code's models ({len(differences)} differences, first: "
            f"{differences[0]!r}); restore a backup or migrate it by hand"
        )
    _stamp_head(connection)
    logger.info("database made without migrations matches the models: stamped %s", state.head)
    return True


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    if _adopt(connection):
        return
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Bring the database to the code's revision; returns (from, to)."""
    before = await schema_state(engine)
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
    return before.revision, before.head


async def _try_adopt(engine: AsyncEngine) -> bool:
    async with engine.begin() as connection:
        return await connection.run_sync(_adopt)


async def prepare_schema(engine: AsyncEngine, *, auto_migrate: bool) -> None:
    """At start: run on a current schema, migrate when allowed, refuse when behind."""
    state = await schema_state(engine)
    if state.current:
        return
    if not state.known:
        logger.warning(
            "database is at revision %s, which this code does not know (newer code "
            "migrated it?); running anyway, on revision %s",
            state.revision,
            state.head,
        )
        return
    if state.revision is None and state.tables and await _try_adopt(engine):
        return
    if auto_migrate:
        before, after = await upgrade(engine)
        logger.info("database migrated from %s to %s", before or "empty", after)
        return
    where = f"at revision {state.revision}" if state.revision else "not set up yet (no tables)"
    if state.revision is None and state.tables:
        where = "not under migrations"
    raise SchemaError(
        f"The database is {where}; this code needs revision {state.head}.\n"
        f"Run `{MIGRATE_COMMAND}` (back the database up first), "
        f"or set {AUTO_MIGRATE_SETTING}=true to migrate at start."
    )


async def migrate_command(database_url: str) -> int:
    """`python bot.py migrate`: one line on success, the reason on failure (exit 1)."""
    where = make_url(database_url).render_as_string(hide_password=True)
    engine = create_engine(database_url)
    try:
        before, after = await upgrade(engine)
    except SchemaError as error:
        print(f"{where}: {error}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as error:
        print(f"{where}: cannot migrate: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    if before == after:
        print(f"{where}: already at revision {after}; nothing to do.")
    else:
        print(f"{where}: migrated from {before or 'an empty database'} to revision {after}.")
    return 0
