"""`bot.py import-venues` / `export-venues` against a real database, as staff run them.

Most rows carry coordinates; those that do not are placed by the deployment's
gazetteer (`venues.places`), here a one-district gazetteer in a scratch data folder.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.db import SessionFactory
from bot.settings import PROJECT_ROOT, Settings
from bot.venue_files import export_venues_command, import_venues_command
from venues import repository
from venues.model import Venue, VenueStatus

HEADER = "name,kind,address,postcode,latitude,longitude,opening_hours,phone,schemes,status,notes\n"
CROWN = 'The Crown,accredited,1 High St,w1d3qu,51.5113,-0.1318,"Mo-Su 18:00-02:00",,WNSC,,x\n'
HAVEN = "St Anne's,safe_haven,55 Dean St,W1D 6AF,51.5133,-0.1325,Fr-Sa 21:00-03:00,,,,\n"
BAD = "Bar Nine,pub,9 Old Compton St,W1D 4TP,51.5131,-0.1303,Mo-Fr 17:00-23:00,999,,,\n"

# Messy on purpose: a BOM, spacing, case, several phone forms, every status.
MESSY = (
    "\ufeffName,Kind,Address,Postcode,Latitude,Longitude,Opening_Hours,Phone,Schemes,"
    "Facilities,Languages,Status\n"
    "  The   Crown ,Accredited,1 High St,w1d3qu,51.5113,-0.1318,Mo-Su 18:00-02:00,"
    "+44 20 7946 0000,Ask for Angela; WNSC,CCTV;toilets,English;Polish,\n"
    'St Anne\'s,safe_haven,55 Dean St,W1D 6AF,51.5133,-0.1325,"Fr,Sa 22:00-04:00",'
    "07700 900123,,first_aid,,pending\n"
    '"Bar ""Nine""",accredited,"9 Old Compton St\nSoho",W1D 4TP,51.5131,-0.1303,off,,,,,'
    "SUSPENDED\n"
    "=Sneaky,accredited,2 Greek St,,51.514,-0.131,24/7,,,,,rejected\n"
)
MESSY_EXPORTED = (
    "id,name,kind,address,postcode,latitude,longitude,opening_hours,phone,schemes,facilities,"
    "languages,status\r\n"
    "1,The Crown,accredited,1 High St,W1D 3QU,51.5113,-0.1318,Mo-Su 18:00-02:00,020 7946 0000,"
    "Ask for Angela;WNSC,cctv;toilets,English;Polish,active\r\n"
    '2,St Anne\'s,safe_haven,55 Dean St,W1D 6AF,51.5133,-0.1325,"Fr,Sa 22:00-04:00",07700 900123,'
    ",first_aid,,pending\r\n"
    '3,"Bar ""Nine""",accredited,"9 Old Compton St, Soho",W1D 4TP,51.5131,-0.1303,off,,,,,'
    "suspended\r\n"
    "4,'=Sneaky,accredited,2 Greek St,,51.514,-0.131,24/7,,,,,rejected\r\n"
)


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, DATABASE_URL=database_url, NIGHTSAFE_DATA_DIR=tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


async def stored(sessions: SessionFactory) -> list[Venue]:
    async with sessions() as session:
        return await repository.list_venues(session)


async def version(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return await repository.register_version(session)


async def test_import_venues_command_creates_venues_and_says_how_many(
    database_url: str, sessions: SessionFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "venues.csv", HEADER + CROWN + HAVEN)
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 0
    assert capsys.readouterr() == (f"Imported {path}: 2 created, 0 updated (2 venues).\n", "")
    venues = await stored(sessions)
    assert [(v.name, v.postcode, v.status) for v in venues] == [
        ("The Crown", "W1D 3QU", VenueStatus.ACTIVE),
        ("St Anne's", "W1D 6AF", VenueStatus.ACTIVE),
    ]


async def test_import_venues_command_again_updates_in_place(
    database_url: str, sessions: SessionFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(database_url, tmp_path)
    first_file = write(tmp_path / "a.csv", HEADER + CROWN + HAVEN)
    assert await import_venues_command(settings, first_file) == 0
    first = await stored(sessions)
    changed = CROWN.replace("Mo-Su 18:00-02:00", "Mo-Su 17:00-03:00").replace(
        "The Crown", "THE CROWN"
    )
    path = write(tmp_path / "b.csv", HEADER + HAVEN + changed)
    capsys.readouterr()
    assert await import_venues_command(settings, path) == 0
    assert capsys.readouterr().out == f"Imported {path}: 0 created, 2 updated (2 venues).\n"
    second = await stored(sessions)
    assert [venue.id for venue in second] == [venue.id for venue in first]
    assert (second[0].name, second[0].opening_hours) == ("THE CROWN", "Mo-Su 17:00-03:00")


async def test_import_venues_command_with_one_bad_row_changes_nothing(
    database_url: str, sessions: SessionFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(database_url, tmp_path)
    assert await import_venues_command(settings, write(tmp_path / "a.csv", HEADER + CROWN)) == 0
    before, version_before = await stored(sessions), await version(sessions)
    changed = CROWN.replace("Mo-Su 18:00-02:00", "24/7")
    path = write(tmp_path / "b.csv", HEADER + changed + HAVEN + BAD)
    capsys.readouterr()
    assert await import_venues_command(settings, path) == 1
    assert capsys.readouterr() == (
        "",
        "row 4: kind: must be safe_haven or accredited (got 'pub')\n"
        "row 4: phone: '999' is not a UK phone number (like 020 7946 0000 or 07700 900123)\n"
        f"{path}: 2 errors; nothing was imported\n",
    )
    assert await stored(sessions) == before
    assert await version(sessions) == version_before


async def test_export_then_import_into_an_empty_register_is_byte_identical(
    database_url: str, sessions: SessionFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'source.db'}", tmp_path)
    assert await import_venues_command(source, write(tmp_path / "messy.csv", MESSY)) == 0
    exported = tmp_path / "exported.csv"
    assert await export_venues_command(source, exported) == 0
    assert exported.read_bytes() == MESSY_EXPORTED.encode()

    empty = settings_for(database_url, tmp_path)
    again = tmp_path / "again.csv"
    assert await import_venues_command(empty, exported) == 0
    assert await export_venues_command(empty, again) == 0
    assert again.read_bytes() == exported.read_bytes()
    statuses = [venue.status for venue in await stored(sessions)]
    assert statuses == [
        VenueStatus.ACTIVE,
        VenueStatus.PENDING,
        VenueStatus.SUSPENDED,
        VenueStatus.REJECTED,
    ]
    assert capsys.readouterr().out.splitlines()[-1] == f"Exported 4 venues to {again}."


async def test_import_venues_command_after_explicit_ids_adds_the_next_id(
    database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path)
    assert await import_venues_command(settings, write(tmp_path / "a.csv", MESSY_EXPORTED)) == 0
    newcomer = "Dog and Duck,accredited,18 Bateman St,W1D 3AJ,51.5138,-0.1316,24/7,,,,\n"
    assert await import_venues_command(settings, write(tmp_path / "b.csv", HEADER + newcomer)) == 0
    assert [venue.id for venue in await stored(sessions)] == [1, 2, 3, 4, 5]


async def test_import_venues_command_places_a_postcode_with_the_gazetteer(
    database_url: str, sessions: SessionFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "gazetteer.csv", "name,kind,latitude,longitude,aliases,zone\n"
          "W1D,district,51.5130,-0.1320,,\n")  # fmt: skip
    unplaced = "Dog and Duck,accredited,18 Bateman St,W1D 3AJ,,,24/7,,,,\n"
    path = write(tmp_path / "venues.csv", HEADER + unplaced)
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 0
    (venue,) = await stored(sessions)
    assert (venue.postcode, venue.latitude, venue.longitude) == ("W1D 3AJ", 51.513, -0.132)
    assert capsys.readouterr().err == ""


async def test_import_venues_command_without_a_gazetteer_asks_for_coordinates(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unplaced = "Dog and Duck,accredited,18 Bateman St,W1D 3AJ,,,24/7,,,,\n"
    path = write(tmp_path / "venues.csv", HEADER + CROWN + unplaced)
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 1
    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith("postcodes cannot be placed: the gazetteer did not load (")
    assert rest == [
        "row 3: latitude/longitude: are required: postcode W1D 3AJ cannot be placed on the map",
        f"{path}: 1 error; nothing was imported",
    ]


async def test_import_venues_command_explains_a_missing_file(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.csv"
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 1
    assert capsys.readouterr() == ("", f"{path}: no such file\n")


async def test_import_venues_command_explains_a_folder(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await import_venues_command(settings_for(database_url, tmp_path), tmp_path) == 1
    assert capsys.readouterr() == ("", f"{tmp_path}: is a folder, not a CSV file\n")


async def test_import_venues_command_explains_a_file_that_is_not_utf8(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Café Nero" + CROWN[9:]).encode("latin-1"))
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 1
    where = len(HEADER) + len("Caf") + 1
    message = (
        f"the file is not UTF-8 text (byte {where} is not): save it as “CSV UTF-8” and try again"
    )
    assert capsys.readouterr() == ("", f"{path}: {message}\n")


async def test_import_venues_command_explains_missing_columns(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "venues.csv", "name,kind,postcode\nThe Crown,accredited,W1D 3QU\n")
    assert await import_venues_command(settings_for(database_url, tmp_path), path) == 1
    assert capsys.readouterr().err == (
        "row 1: address: column is missing\n"
        "row 1: opening_hours: column is missing\n"
        f"{path}: 2 errors; nothing was imported\n"
    )


async def test_export_venues_command_of_an_empty_register_writes_the_header(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.csv"
    assert await export_venues_command(settings_for(database_url, tmp_path), path) == 0
    assert path.read_bytes() == MESSY_EXPORTED.split("\r\n")[0].encode() + b"\r\n"
    assert capsys.readouterr() == (f"Exported 0 venues to {path}.\n", "")


async def test_export_venues_command_explains_a_missing_folder(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no-such-folder" / "register.csv"
    assert await export_venues_command(settings_for(database_url, tmp_path), path) == 1
    assert capsys.readouterr() == ("", f"cannot write {path}: No such file or directory\n")


async def test_bot_py_import_venues_runs_from_the_command_line(
    database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    path = write(tmp_path / "venues.csv", HEADER + CROWN + HAVEN)
    environment = os.environ | {"DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT_ROOT / "bot.py"),
        "import-venues",
        str(path),
        cwd=tmp_path,  # away from the project's .env and default database
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert (process.returncode, out.decode(), err.decode()) == (
        0,
        f"Imported {path}: 2 created, 0 updated (2 venues).\n",
        "",
    )
    assert [venue.name for venue in await stored(sessions)] == ["The Crown", "St Anne's"]
