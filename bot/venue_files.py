"""`bot.py import-venues FILE` and `bot.py export-venues FILE`: the register as CSV.

Both answer in one line on success (exit 0); an import with bad rows prints
every row's error on stderr, stores nothing, and exits 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.db import create_engine, create_schema, create_session_factory
from bot.settings import Settings
from venues import repository
from venues.csvio import (
    ImportPlan,
    ImportSummary,
    PostcodePlacer,
    VenueFileError,
    decode_venue_file,
    export_venue_csv,
    import_venues,
    parse_venue_csv,
)
from venues.model import Point, Venue

EXIT_OK = 0
EXIT_FAILED = 1


async def import_venues_command(settings: Settings, path: Path) -> int:
    try:
        text = decode_venue_file(_read_bytes(path))
        plan = parse_venue_csv(
            text, area=settings.area, place_postcode=_PostcodePlacer(settings.data_dir)
        )
    except _UnreadableFileError as error:
        return _fail(str(error))
    except VenueFileError as error:
        if error.message:
            return _fail(f"{path}: {error.message}")
        for line in error.lines():
            print(line, file=sys.stderr)
        count = len(error.errors)
        return _fail(f"{path}: {count} error{'s' if count != 1 else ''}; nothing was imported")
    try:
        summary = await _apply(settings, plan)
    except SQLAlchemyError as error:
        return _fail(
            f"{path}: nothing was imported: the database refused it ({_first_line(error)})"
        )
    print(f"Imported {path}: {summary} ({_venues(summary.created + summary.updated)}).")
    return EXIT_OK


async def export_venues_command(settings: Settings, path: Path) -> int:
    try:
        venues = await _all_venues(settings)
    except SQLAlchemyError as error:
        return _fail(f"could not read the register: {_first_line(error)}")
    try:
        _write_atomically(path, export_venue_csv(venues))
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror or error}")
    print(f"Exported {_venues(len(venues))} to {path}.")
    return EXIT_OK


class _UnreadableFileError(Exception):
    pass


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise _UnreadableFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _UnreadableFileError(f"{path}: is a folder, not a CSV file") from None
    except OSError as error:
        raise _UnreadableFileError(f"{path}: cannot be read ({error.strerror or error})") from None


class _PostcodePlacer:
    """Places postcodes with the area's gazetteer, loaded only if a row needs it."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._place: PostcodePlacer | None = None

    def __call__(self, postcode: str) -> Point | None:
        if self._place is None:
            self._place = _load_placer(self._data_dir)
        return self._place(postcode)


def _load_placer(data_dir: Path) -> PostcodePlacer:
    # Imported here: a file whose rows all have coordinates never pays for it.
    from venues.places import load_gazetteer

    try:
        return load_gazetteer(data_dir).place_postcode
    except (OSError, ValueError) as error:
        print(f"postcodes cannot be placed: the gazetteer did not load ({error})", file=sys.stderr)
        return _place_nowhere


def _place_nowhere(_postcode: str) -> Point | None:
    return None


async def _apply(settings: Settings, plan: ImportPlan) -> ImportSummary:
    engine = create_engine(settings.database_url)
    try:
        await create_schema(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            return await import_venues(session, plan)
    finally:
        await engine.dispose()


async def _all_venues(settings: Settings) -> list[Venue]:
    engine = create_engine(settings.database_url)
    try:
        await create_schema(engine)
        async with create_session_factory(engine)() as session:
            return await repository.list_venues(session)
    finally:
        await engine.dispose()


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: a failed export leaves the old file whole."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(text.encode("utf-8"))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _venues(count: int) -> str:
    return f"{count} venue{'' if count == 1 else 's'}"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_FAILED
