"""Venue CSV files: parse one into an import plan (or every row's errors), apply it, export.

The format is the SPEC's, plus optional `id`, `facilities`, `languages` and
`status` columns so that an export imports back unchanged. Row numbers are a
spreadsheet's: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic import field_validator as cell
from sqlalchemy.ext.asyncio import AsyncSession

from venues import repository
from venues.hours import validate_hours
from venues.model import BoundingBox, Facility, Point, Venue, VenueKind, VenueStatus
from venues.phones import normalise_uk_phone
from venues.postcodes import normalise_postcode
from venues.repository import VenueDraft, VenueUpsert, venue_identity

PostcodePlacer = Callable[[str], Point | None]

# The export's column order; an import accepts them in any order.
COLUMNS = (
    "id",
    "name",
    "kind",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "schemes",
    "facilities",
    "languages",
    "status",
)
REQUIRED_COLUMNS = ("name", "kind", "address", "opening_hours")
NAME_LENGTH = 120
ADDRESS_LENGTH = 300
HEADER_ROW = 1
_LARGEST_ID = 2**31 - 1  # PostgreSQL's integer
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# A spreadsheet runs a cell starting with one of these as a formula, so the
# export quotes such text cells with an apostrophe and the import removes it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT_COLUMNS = frozenset({"name", "address", "schemes", "languages"})


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.reason}"


class VenueFileError(ValueError):
    """A venue file that cannot be imported: every row error, or one file-level message."""

    def __init__(self, errors: Sequence[RowError] = (), message: str | None = None) -> None:
        self.errors = tuple(errors)
        self.message = message
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [self.message] if self.message else [str(error) for error in self.errors]


@dataclass(frozen=True, slots=True)
class PlannedVenue:
    row: int
    upsert: VenueUpsert


@dataclass(frozen=True, slots=True)
class ImportPlan:
    venues: tuple[PlannedVenue, ...]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


# --- reading a file ---------------------------------------------------------------


def decode_venue_file(data: bytes) -> str:
    """The file's text (a byte-order mark is fine); VenueFileError when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise VenueFileError(
            message=f"the file is not UTF-8 text (byte {error.start + 1} is not): "
            "save it as “CSV UTF-8” and try again"
        ) from None


def parse_venue_csv(text: str, *, area: BoundingBox, place_postcode: PostcodePlacer) -> ImportPlan:
    """Validate every row; the plan when all are good, else VenueFileError with them all."""
    records = _records(text.removeprefix("\ufeff"))
    header = _header(records)
    context = _RowContext(area=area, place_postcode=place_postcode)
    planned: list[PlannedVenue] = []
    errors: list[RowError] = []
    for row_number, record in enumerate(records[1:], start=HEADER_ROW + 1):
        if not any(value.strip() for value in record):
            continue  # spreadsheets leave blank rows behind
        venue, row_errors = _parse_row(row_number, _cells(header, record), context)
        errors.extend(row_errors)
        if venue is not None:
            planned.append(venue)
    errors.extend(_duplicate_errors(planned))
    if errors:
        raise VenueFileError(sorted(errors, key=_error_order))
    return ImportPlan(tuple(planned))


def _records(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as error:
        raise VenueFileError(
            message=f"the file is not valid CSV near line {reader.line_num}: {error}"
        ) from None
    if not records:
        raise VenueFileError(
            message=f"the file is empty: it needs a header row ({','.join(COLUMNS)})"
        )
    return records


def _header(records: list[list[str]]) -> list[str]:
    header = [name.strip().lower() for name in records[0]]
    errors = [RowError(HEADER_ROW, name, "column is missing") for name in REQUIRED_COLUMNS]
    errors = [error for error in errors if error.column not in header]
    repeated = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
    errors += [RowError(HEADER_ROW, name, "column appears more than once") for name in repeated]
    if errors:
        raise VenueFileError(errors)
    return header


def _cells(header: list[str], record: list[str]) -> dict[str, str]:
    """The row's known columns (extra columns ignored; a short row reads as blanks)."""
    cells = {name: "" for name in header if name in COLUMNS}
    for name, value in zip(header, record, strict=False):
        if name in cells:
            cells[name] = _unquote_formula(value) if name in _FREE_TEXT_COLUMNS else value
    return cells


def _error_order(error: RowError) -> tuple[int, int]:
    column = error.column.split("/")[0]
    return error.row, COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


# --- one row ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RowContext:
    area: BoundingBox
    place_postcode: PostcodePlacer


class _CellError(ValueError):
    """A reason that belongs to a column other than the field that found it."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def _parse_row(
    row_number: int, cells: dict[str, str], context: _RowContext
) -> tuple[PlannedVenue | None, list[RowError]]:
    try:
        fields = _VenueCells.model_validate(cells, context=context)
    except ValidationError as invalid:
        return None, [_row_error(row_number, error) for error in invalid.errors()]
    return PlannedVenue(row_number, fields.upsert()), []


def _row_error(row_number: int, error: Any) -> RowError:
    column = str(error["loc"][0]) if error["loc"] else "row"
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _CellError):
        return RowError(row_number, cause.column, str(cause))
    return RowError(row_number, column, str(cause) if cause else error["msg"])


class _VenueCells(BaseModel):
    """One row's cells, checked and converted (fields are checked in this order)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    name: str
    kind: VenueKind
    address: str
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # Where the venue is: its coordinates, else its placed postcode.
    location: Point | None = Field(default=None, validate_default=True)
    opening_hours: str
    phone: str | None = None
    schemes: tuple[str, ...] = ()
    facilities: frozenset[Facility] = frozenset()
    languages: tuple[str, ...] = ()
    status: VenueStatus | None = None

    @cell("id", mode="before")
    @classmethod
    def _id(cls, value: str) -> int | None:
        value = value.strip()
        if not value:
            return None
        if not value.isdecimal() or not 1 <= int(value) <= _LARGEST_ID:
            raise ValueError(f"must be a whole number from 1 (got {_shown(value)})")
        return int(value)

    @cell("name", mode="before")
    @classmethod
    def _name(cls, value: str) -> str:
        return _required_text(value, NAME_LENGTH)

    @cell("kind", mode="before")
    @classmethod
    def _kind(cls, value: str) -> VenueKind:
        key = re.sub(r"[\s-]+", "_", value.strip().lower())
        if key not in set(VenueKind):
            kinds = " or ".join(VenueKind)
            raise ValueError(f"must be {kinds} (got {_shown(value)})")
        return VenueKind(key)

    @cell("address", mode="before")
    @classmethod
    def _address(cls, value: str) -> str:
        lines = [" ".join(line.split()) for line in value.splitlines()]
        return _required_text(", ".join(line for line in lines if line), ADDRESS_LENGTH)

    @cell("postcode", mode="before")
    @classmethod
    def _postcode(cls, value: str) -> str | None:
        return normalise_postcode(value) if value.strip() else None

    @cell("latitude", mode="before")
    @classmethod
    def _latitude(cls, value: str) -> float | None:
        return _coordinate(value, limit=90, example="51.5136")

    @cell("longitude", mode="before")
    @classmethod
    def _longitude(cls, value: str) -> float | None:
        return _coordinate(value, limit=180, example="-0.1318")

    @cell("location", mode="after")
    @classmethod
    def _location(cls, _value: None, info: ValidationInfo) -> Point | None:
        if "latitude" not in info.data or "longitude" not in info.data:
            return None  # a coordinate is wrong: that is the row's error
        context: _RowContext = info.context
        return _locate(info.data, context)

    @cell("opening_hours", mode="before")
    @classmethod
    def _opening_hours(cls, value: str) -> str:
        hours = value.strip()
        if not hours:
            raise ValueError("is required")
        problem = validate_hours(hours)
        if problem:
            raise ValueError(problem)
        return hours

    @cell("phone", mode="before")
    @classmethod
    def _phone(cls, value: str) -> str | None:
        return normalise_uk_phone(value) if value.strip() else None

    @cell("schemes", "languages", mode="before")
    @classmethod
    def _names(cls, value: str) -> tuple[str, ...]:
        return _separated(value)

    @cell("facilities", mode="before")
    @classmethod
    def _facilities(cls, value: str) -> frozenset[Facility]:
        names = [name.lower() for name in _separated(value)]
        unknown = [name for name in names if name not in set(Facility)]
        if unknown:
            known = ", ".join(sorted(Facility))
            raise ValueError(f"unknown facility {', '.join(map(_shown, unknown))} (known: {known})")
        return frozenset(Facility(name) for name in names)

    @cell("status", mode="before")
    @classmethod
    def _status(cls, value: str) -> VenueStatus | None:
        key = value.strip().lower()
        if not key:
            return None  # active when new, unchanged when it exists
        if key not in set(VenueStatus):
            statuses = ", ".join(list(VenueStatus)[:-1]) + f" or {list(VenueStatus)[-1]}"
            raise ValueError(f"must be {statuses} (got {_shown(value)})")
        return VenueStatus(key)

    def upsert(self) -> VenueUpsert:
        assert self.location is not None  # set whenever validation passed
        draft = VenueDraft(
            name=self.name,
            kind=self.kind,
            address=self.address,
            postcode=self.postcode,
            latitude=self.location.latitude,
            longitude=self.location.longitude,
            opening_hours=self.opening_hours,
            phone=self.phone,
            schemes=self.schemes,
            facilities=self.facilities,
            languages=self.languages,
            status=self.status,
        )
        return VenueUpsert(draft=draft, venue_id=self.id)


def _required_text(value: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("is required")
    if len(text) > limit:
        raise ValueError(f"is longer than {limit} characters ({len(text)})")
    return text


def _coordinate(value: str, *, limit: int, example: str) -> float | None:
    text = value.strip()
    if not text:
        return None
    number = float(text) if _DECIMAL.match(text) else math.nan
    if math.isnan(number) or math.isinf(number):
        raise ValueError(
            f"must be a number in decimal degrees, like {example} (got {_shown(text)})"
        )
    if not -limit <= number <= limit:
        raise ValueError(f"must be between -{limit} and {limit} (got {text})")
    return number


def _locate(data: dict[str, Any], context: _RowContext) -> Point | None:
    latitude, longitude = data["latitude"], data["longitude"]
    if latitude is not None and longitude is not None:
        point = Point(latitude, longitude)
        return _inside(point, "latitude/longitude", f"{latitude}, {longitude}", context.area)
    if latitude is not None:
        raise _CellError("longitude", "is required with a latitude")
    if longitude is not None:
        raise _CellError("latitude", "is required with a longitude")
    if "postcode" not in data:
        return None  # the postcode is wrong: that is the row's error
    postcode = data["postcode"]
    if postcode is None:
        raise _CellError("latitude/longitude", "are required when there is no postcode")
    point = context.place_postcode(postcode)
    if point is None:
        raise _CellError(
            "latitude/longitude", f"are required: postcode {postcode} cannot be placed on the map"
        )
    where = f"{postcode} ({point.latitude}, {point.longitude})"
    return _inside(point, "postcode", where, context.area)


def _inside(point: Point, column: str, where: str, area: BoundingBox) -> Point:
    if not area.contains(point):
        raise _CellError(
            column,
            f"{where} is outside the area this register covers "
            f"(latitude {area.min_latitude} to {area.max_latitude}, "
            f"longitude {area.min_longitude} to {area.max_longitude})",
        )
    return point


def _separated(value: str) -> tuple[str, ...]:
    """`;`-separated names, trimmed, blanks and repeats dropped, order kept."""
    names = (" ".join(name.split()) for name in value.split(";"))
    return tuple(dict.fromkeys(name for name in names if name))


def _shown(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _duplicate_errors(planned: Sequence[PlannedVenue]) -> list[RowError]:
    """Two rows that would write the same venue: the same id, or name and postcode."""
    errors: list[RowError] = []
    first_with_id: dict[int, int] = {}
    first_with_identity: dict[str, int] = {}
    for venue in planned:
        venue_id, draft = venue.upsert.venue_id, venue.upsert.draft
        if venue_id is not None:
            first = first_with_id.setdefault(venue_id, venue.row)
            if first != venue.row:
                errors.append(RowError(venue.row, "id", f"id {venue_id} is already on row {first}"))
                continue
        first = first_with_identity.setdefault(
            venue_identity(draft.name, draft.postcode), venue.row
        )
        if first != venue.row:
            reason = f"same venue as row {first} (same name and postcode)"
            errors.append(RowError(venue.row, "name", reason))
    return errors


# --- applying and exporting ---------------------------------------------------------


async def import_venues(session: AsyncSession, plan: ImportPlan) -> ImportSummary:
    """Apply a plan in the caller's transaction: commit it whole, or roll it back."""
    counts = await repository.upsert_venues(session, [venue.upsert for venue in plan.venues])
    return ImportSummary(created=counts.created, updated=counts.updated)


def export_venue_csv(venues: Iterable[Venue]) -> str:
    """The venues by id, in COLUMNS order: importing it back gives the same file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for venue in sorted(venues, key=lambda venue: venue.id):
        writer.writerow(_export_row(venue))
    return buffer.getvalue()


def _export_row(venue: Venue) -> list[str]:
    cells = {
        "id": str(venue.id),
        "name": venue.name,
        "kind": venue.kind.value,
        "address": venue.address,
        "postcode": venue.postcode or "",
        "latitude": repr(venue.latitude),
        "longitude": repr(venue.longitude),
        "opening_hours": venue.opening_hours,
        "phone": venue.phone or "",
        "schemes": ";".join(venue.schemes),
        "facilities": ";".join(sorted(facility.value for facility in venue.facilities)),
        "languages": ";".join(venue.languages),
        "status": venue.status.value,
    }
    return [
        _quote_formula(cells[name]) if name in _FREE_TEXT_COLUMNS else cells[name]
        for name in COLUMNS
    ]


def _looks_like_formula(text: str) -> bool:
    # Apostrophes already in front count too, so that quoting always undoes exactly.
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def _quote_formula(text: str) -> str:
    return "'" + text if _looks_like_formula(text) else text


def _unquote_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and _looks_like_formula(text[1:]) else text
