"""The venue register in the database: named functions, each taking the caller's session.

The caller owns the transaction (`async with sessions() as s, s.begin():`). Every
change also bumps the register version in that same transaction, so whoever
caches venues (the spatial index, other replicas) can tell cheaply that
something changed. This is the only module that speaks SQL about venues.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from venues.hours import parse_hours
from venues.model import Facility, Venue, VenueKind, VenueStatus
from venues.orm import RegisterVersionRow, VenueRow

_REGISTER_ROW_ID = 1
_IDENTITY_LENGTH = 200  # VenueRow.identity_key's size


class VenueNotFoundError(LookupError):
    def __init__(self, venue_id: int) -> None:
        super().__init__(f"no venue with id {venue_id}")
        self.venue_id = venue_id


@dataclass(frozen=True, slots=True)
class VenueDraft:
    """A venue's own details, without the register's bookkeeping (id, times).

    `status` None means: pending for a new venue (nothing becomes public until
    someone says so), and unchanged for an existing one.
    """

    name: str
    kind: VenueKind
    address: str
    postcode: str | None
    latitude: float
    longitude: float
    opening_hours: str
    phone: str | None = None
    schemes: tuple[str, ...] = ()
    facilities: frozenset[Facility] = frozenset()
    languages: tuple[str, ...] = ()
    status: VenueStatus | None = None


@dataclass(frozen=True, slots=True)
class VenueUpsert:
    """One venue of an import: `venue_id` when the file names it, else found by identity."""

    draft: VenueDraft
    venue_id: int | None = None


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    created: int
    updated: int


def venue_identity(name: str, postcode: str | None) -> str:
    """Normalised name + postcode: how a row without an id finds its venue again.

    `St. Mary's Café`, `st marys cafe` and `ST MARY'S  CAFE` are the same venue.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[\W_]+", " ", re.sub(r"['’`]", "", letters)).split()
    squashed_postcode = re.sub(r"\s+", "", postcode or "").upper()
    return f"{' '.join(words)}|{squashed_postcode}"[:_IDENTITY_LENGTH]


# --- reading --------------------------------------------------------------------


async def register_version(session: AsyncSession) -> int:
    """The register's change counter: equal values mean nothing changed in between."""
    query = select(RegisterVersionRow.version).where(RegisterVersionRow.id == _REGISTER_ROW_ID)
    return (await session.scalar(query)) or 0


async def get_venue(session: AsyncSession, venue_id: int) -> Venue | None:
    row = await session.get(VenueRow, venue_id)
    return _to_venue(row) if row is not None else None


async def list_venues(session: AsyncSession, status: VenueStatus | None = None) -> list[Venue]:
    """Every venue (or those with `status`), by id."""
    query = select(VenueRow).order_by(VenueRow.id)
    if status is not None:
        query = query.where(VenueRow.status == status.value)
    return [_to_venue(row) for row in await session.scalars(query)]


async def list_public_venues(session: AsyncSession) -> list[Venue]:
    """What the public may see: active venues only."""
    return await list_venues(session, VenueStatus.ACTIVE)


# --- changing -------------------------------------------------------------------


async def add_venue(
    session: AsyncSession, draft: VenueDraft, *, venue_id: int | None = None
) -> Venue:
    row = _new_row(draft, venue_id, VenueStatus.PENDING)
    session.add(row)
    await session.flush()
    if venue_id is not None:
        await _sync_id_sequence(session)
    await _bump_register_version(session)
    return _to_venue(row)


async def update_venue(session: AsyncSession, venue_id: int, draft: VenueDraft) -> Venue:
    """Replace a venue's details (status only when the draft has one)."""
    row = await _row(session, venue_id)
    _write_draft(row, draft)
    return await _saved(session, row)


async def set_status(session: AsyncSession, venue_id: int, status: VenueStatus) -> Venue:
    row = await _row(session, venue_id)
    row.status = status.value
    return await _saved(session, row)


async def set_closed_until(
    session: AsyncSession, venue_id: int, closed_until: datetime | None
) -> Venue:
    """Close a venue until an aware instant (None: reopen now, by its hours)."""
    if closed_until is not None and closed_until.tzinfo is None:
        raise ValueError("closed_until must be an aware datetime")
    row = await _row(session, venue_id)
    row.closed_until = closed_until
    return await _saved(session, row)


async def update_hours(session: AsyncSession, venue_id: int, opening_hours: str) -> Venue:
    """Raises venues.hours.HoursError, with the parser's message, for bad hours."""
    parse_hours(opening_hours)
    row = await _row(session, venue_id)
    row.opening_hours = opening_hours.strip()
    return await _saved(session, row)


async def set_schemes(session: AsyncSession, venue_id: int, schemes: Sequence[str]) -> Venue:
    """Replace the schemes a venue is shown with (an accreditation expired or was renewed)."""
    row = await _row(session, venue_id)
    row.schemes = list(dict.fromkeys(schemes))
    return await _saved(session, row)


def draft_of(venue: Venue) -> VenueDraft:
    """A venue's own details as a draft (status unchanged), to change a few of them."""
    return VenueDraft(
        name=venue.name,
        kind=venue.kind,
        address=venue.address,
        postcode=venue.postcode,
        latitude=venue.latitude,
        longitude=venue.longitude,
        opening_hours=venue.opening_hours,
        phone=venue.phone,
        schemes=venue.schemes,
        facilities=venue.facilities,
        languages=venue.languages,
    )


async def delete_venue(session: AsyncSession, venue_id: int) -> bool:
    """Remove a venue; False when there was none with that id."""
    row = await session.get(VenueRow, venue_id)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    await _bump_register_version(session)
    return True


async def upsert_venues(
    session: AsyncSession,
    entries: Sequence[VenueUpsert],
    *,
    new_status: VenueStatus = VenueStatus.ACTIVE,
) -> UpsertCounts:
    """Create or update many venues at once (an import), as one change of the register.

    An entry with an id updates that venue or creates it with that id; one
    without updates the venue with the same identity or creates a new one.
    """
    rows = list(await session.scalars(select(VenueRow).order_by(VenueRow.id)))
    by_id = {row.id: row for row in rows}
    claimed = {entry.venue_id for entry in entries if entry.venue_id in by_id}
    by_identity: dict[str, VenueRow] = {}
    for row in rows:
        if row.id not in claimed:
            by_identity.setdefault(row.identity_key, row)
    with_id: list[VenueUpsert] = []
    without_id: list[VenueUpsert] = []
    updated = 0
    for entry in entries:
        row = _match(entry, by_id, by_identity)
        if row is not None:
            _write_draft(row, entry.draft)
            updated += 1
        else:
            (with_id if entry.venue_id is not None else without_id).append(entry)
    await _create_all(session, with_id, new_status)
    await _create_all(session, without_id, new_status)
    if entries:
        await session.flush()
        await _bump_register_version(session)
    return UpsertCounts(created=len(with_id) + len(without_id), updated=updated)


def _match(
    entry: VenueUpsert, by_id: dict[int, VenueRow], by_identity: dict[str, VenueRow]
) -> VenueRow | None:
    if entry.venue_id is not None:
        return by_id.get(entry.venue_id)
    draft = entry.draft
    # Each stored venue is matched at most once, so two entries never merge.
    return by_identity.pop(venue_identity(draft.name, draft.postcode), None)


async def _create_all(
    session: AsyncSession, entries: Sequence[VenueUpsert], status: VenueStatus
) -> None:
    if not entries:
        return
    session.add_all(_new_row(entry.draft, entry.venue_id, status) for entry in entries)
    await session.flush()
    # Explicit ids first, then the sequence past them, then rows that draw from it.
    if entries[0].venue_id is not None:
        await _sync_id_sequence(session)


# --- helpers --------------------------------------------------------------------


async def _row(session: AsyncSession, venue_id: int) -> VenueRow:
    row = await session.get(VenueRow, venue_id)
    if row is None:
        raise VenueNotFoundError(venue_id)
    return row


async def _saved(session: AsyncSession, row: VenueRow) -> Venue:
    await session.flush()
    await _bump_register_version(session)
    return _to_venue(row)


async def _bump_register_version(session: AsyncSession) -> None:
    """One statement, so two first-ever changes cannot both try to create the row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RegisterVersionRow).values(id=_REGISTER_ROW_ID, version=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[RegisterVersionRow.id],
            set_={"version": RegisterVersionRow.version + 1},
        )
    )


async def _sync_id_sequence(session: AsyncSession) -> None:
    """After explicit ids, move PostgreSQL's id sequence past them (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    highest = await session.scalar(select(func.max(VenueRow.id)))
    await session.execute(
        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
        {"table": VenueRow.__tablename__, "next": (highest or 0) + 1},
    )


def _new_row(draft: VenueDraft, venue_id: int | None, default_status: VenueStatus) -> VenueRow:
    row = VenueRow(status=(draft.status or default_status).value)
    if venue_id is not None:
        row.id = venue_id
    _write_draft(row, draft)
    return row


def _write_draft(row: VenueRow, draft: VenueDraft) -> None:
    # Stored hours must always evaluate: refuse any that do not parse.
    parse_hours(draft.opening_hours)
    row.name = draft.name
    row.identity_key = venue_identity(draft.name, draft.postcode)
    row.kind = draft.kind.value
    row.address = draft.address
    row.postcode = draft.postcode
    row.latitude = draft.latitude
    row.longitude = draft.longitude
    row.opening_hours = draft.opening_hours.strip()
    row.phone = draft.phone
    row.schemes = list(draft.schemes)
    row.facilities = sorted(facility.value for facility in draft.facilities)
    row.languages = list(draft.languages)
    if draft.status is not None:
        row.status = draft.status.value


def _to_venue(row: VenueRow) -> Venue:
    return Venue(
        id=row.id,
        name=row.name,
        kind=VenueKind(row.kind),
        address=row.address,
        postcode=row.postcode,
        latitude=row.latitude,
        longitude=row.longitude,
        opening_hours=row.opening_hours,
        phone=row.phone,
        schemes=tuple(row.schemes or ()),
        facilities=frozenset(Facility(name) for name in row.facilities or ()),
        languages=tuple(row.languages or ()),
        status=VenueStatus(row.status),
        closed_until=row.closed_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
