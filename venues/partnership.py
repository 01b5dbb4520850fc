"""The partnership running a deployment: its name, emergency contacts, Night Stars,
accreditation schemes and alert zones, loaded from `data/partnership.toml`.

Night Stars' schedule is OpenStreetMap `opening_hours` in local time, so a shift
past midnight, a Thursday added in December and the clocks changing are the
same rules the venues' hours follow (`venues.hours`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geopy.distance import geodesic

from venues.hours import open_state, validate_hours
from venues.model import Point

PARTNERSHIP_FILE = "partnership.toml"


# The emergency sentences a translation replaces (numbers stay the UK's).
_EMERGENCY_TEXTS = ("non_emergency", "sms", "sms_registration", "silent_call", "ask_for_angela")


class PartnershipError(ValueError):
    """The partnership file is missing something or has a wrong value."""


@dataclass(frozen=True, slots=True)
class Emergency:
    emergency_numbers: tuple[str, ...]  # ("999", "112")
    non_emergency_number: str  # "101"
    non_emergency: str
    sms_number: str  # emergencySMS
    sms: str
    sms_registration: str
    silent_call: str
    ask_for_angela: str


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str | None = None
    telegram: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingPoint:
    name: str  # shown to people
    place: str | None = None  # a gazetteer name, to place it on a map


@dataclass(frozen=True, slots=True)
class NightStars:
    description: str
    schedule: str  # OSM opening_hours, local time
    schedule_summary: str  # the same in words, for people
    patrol_zones: tuple[str, ...]
    contact: Contact
    meeting_points: tuple[MeetingPoint, ...]


@dataclass(frozen=True, slots=True)
class Scheme:
    key: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Zone:
    """An alert zone: a named circle."""

    key: str
    name: str
    centre: Point
    radius_m: float
    # The whole area ("all of the West End"): its subscribers get every alert.
    covers_all: bool = False

    def contains(self, point: Point) -> bool:
        distance = geodesic(
            (self.centre.latitude, self.centre.longitude), (point.latitude, point.longitude)
        ).meters
        return distance <= self.radius_m


@dataclass(frozen=True, slots=True)
class Partnership:
    name: str
    short_name: str
    area: str
    timezone: str
    website: str | None
    emergency: Emergency
    night_stars: NightStars
    schemes: tuple[Scheme, ...]
    zones: tuple[Zone, ...]
    # Translations of the texts people read, by language (see `localised`).
    translations: Mapping[str, Partnership] = field(default_factory=dict, compare=False)

    def localised(self, language: str) -> Partnership:
        """The partnership with its texts in `language` where a translation exists."""
        return self.translations.get(language, self)

    def zone(self, key: str) -> Zone | None:
        return next((zone for zone in self.zones if zone.key == key), None)

    def scheme(self, name: str) -> Scheme | None:
        """A scheme by its name or key, ignoring case."""
        wanted = name.strip().casefold()
        return next(
            (s for s in self.schemes if wanted in (s.name.casefold(), s.key.casefold())), None
        )

    def night_stars_status(self, at: datetime) -> NightStarsStatus:
        return night_stars_status(self.night_stars.schedule, at, self.timezone)


@dataclass(frozen=True, slots=True)
class NightStarsStatus:
    """On duty now (and until when), or when next on duty; times in local time."""

    on_duty: bool
    until: datetime | None = None  # when on duty: when this shift ends
    next_on_duty: datetime | None = None  # when off duty: when the next shift starts


def night_stars_status(schedule: str, at: datetime, timezone: str) -> NightStarsStatus:
    """Whether Night Stars are on duty at the aware instant `at`, in `timezone`'s local time."""
    state = open_state(schedule, at, timezone)
    zone = ZoneInfo(timezone)
    if state.is_open:
        return NightStarsStatus(on_duty=True, until=_local(state.open_until, zone))
    return NightStarsStatus(on_duty=False, next_on_duty=_local(state.opens_next, zone))


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The same instant as a plain local time (the parser may leave `fold` set)."""
    return moment.astimezone(UTC).astimezone(zone) if moment is not None else None


# --- loading ------------------------------------------------------------------------------


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PartnershipError(f"{where}.{key} must be non-empty text")
    return value.strip()


def _optional_text(table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key)
    if not isinstance(value, dict):
        raise PartnershipError(f"{where}.{key} is missing")
    return value


def _tables(table: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PartnershipError(f"{where}.{key} must be a list of tables ([[{key}]])")
    return value


def _emergency(table: dict[str, Any]) -> Emergency:
    where = "emergency"
    numbers = table.get("emergency_numbers")
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
        raise PartnershipError("emergency.emergency_numbers must list the numbers, like ['999']")
    return Emergency(
        emergency_numbers=tuple(numbers),
        non_emergency_number=_text(table, "non_emergency_number", where),
        non_emergency=_text(table, "non_emergency", where),
        sms_number=_text(table, "sms_number", where),
        sms=_text(table, "sms", where),
        sms_registration=_text(table, "sms_registration", where),
        silent_call=_text(table, "silent_call", where),
        ask_for_angela=_text(table, "ask_for_angela", where),
    )


def _night_stars(table: dict[str, Any], zone_keys: set[str]) -> NightStars:
    where = "night_stars"
    schedule = _text(table, "schedule", where)
    problem = validate_hours(schedule)
    if problem:
        raise PartnershipError(f"night_stars.schedule is not OSM opening hours: {problem}")
    patrol_zones = tuple(table.get("patrol_zones", []))
    unknown = [key for key in patrol_zones if key not in zone_keys]
    if unknown:
        raise PartnershipError(f"night_stars.patrol_zones has unknown zones: {unknown}")
    contact = table.get("contact", {})
    return NightStars(
        description=_text(table, "description", where),
        schedule=schedule,
        schedule_summary=_text(table, "schedule_summary", where),
        patrol_zones=patrol_zones,
        contact=Contact(
            phone=_optional_text(contact, "phone"),
            telegram=_optional_text(contact, "telegram"),
            website=_optional_text(contact, "website"),
        ),
        meeting_points=tuple(
            MeetingPoint(
                name=_text(point, "name", f"{where}.meeting_points"),
                place=_optional_text(point, "place"),
            )
            for point in _tables(table, "meeting_points", where)
        ),
    )


def _zone(table: dict[str, Any]) -> Zone:
    where = f"zones[{table.get('key', '?')}]"
    try:
        centre = Point(float(table["latitude"]), float(table["longitude"]))
        radius_m = float(table["radius_m"])
    except (KeyError, TypeError, ValueError) as error:
        raise PartnershipError(
            f"{where} needs latitude, longitude and radius_m ({error})"
        ) from None
    if not (-90 <= centre.latitude <= 90 and -180 <= centre.longitude <= 180) or radius_m <= 0:
        raise PartnershipError(f"{where} has an impossible centre or radius")
    return Zone(
        _text(table, "key", where),
        _text(table, "name", where),
        centre,
        radius_m,
        covers_all=bool(table.get("covers_all", False)),
    )


def parse_partnership(data: dict[str, Any]) -> Partnership:
    timezone = _text(data, "timezone", "partnership")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PartnershipError(f"partnership.timezone {timezone!r} is not a time zone") from None
    zones = tuple(_zone(table) for table in _tables(data, "zones", "partnership"))
    keys = [zone.key for zone in zones]
    if len(set(keys)) != len(keys):
        raise PartnershipError("zones: every key must be different")
    return Partnership(
        name=_text(data, "name", "partnership"),
        short_name=_optional_text(data, "short_name") or _text(data, "name", "partnership"),
        area=_text(data, "area", "partnership"),
        timezone=timezone,
        website=_optional_text(data, "website"),
        emergency=_emergency(_table(data, "emergency", "partnership")),
        night_stars=_night_stars(_table(data, "night_stars", "partnership"), set(keys)),
        schemes=tuple(
            Scheme(
                key=_text(table, "key", "schemes"),
                name=_text(table, "name", "schemes"),
                description=_text(table, "description", "schemes"),
            )
            for table in _tables(data, "schemes", "partnership")
        ),
        zones=zones,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise PartnershipError(f"{path.name}: {error}") from None


def translated(partnership: Partnership, texts: dict[str, Any], where: str) -> Partnership:
    """The partnership with the people-facing texts of one translation file.

    Numbers, places, contacts and scheme names stay as they are (emergency numbers
    are the UK's whatever the language); only sentences are replaced, and a
    translation must give every one of them."""
    emergency_texts = _table(texts, "emergency", where)
    night_texts = _table(texts, "night_stars", where)
    stars = partnership.night_stars
    points = night_texts.get("meeting_points", [])
    if len(points) != len(stars.meeting_points):
        raise PartnershipError(f"{where}: night_stars.meeting_points must name every point")
    zone_names = _table(texts, "zones", where)
    return replace(
        partnership,
        emergency=replace(
            partnership.emergency,
            **{key: _text(emergency_texts, key, where) for key in _EMERGENCY_TEXTS},
        ),
        night_stars=replace(
            stars,
            description=_text(night_texts, "description", where),
            schedule_summary=_text(night_texts, "schedule_summary", where),
            meeting_points=tuple(
                replace(point, name=str(name))
                for point, name in zip(stars.meeting_points, points, strict=True)
            ),
        ),
        zones=tuple(
            replace(zone, name=_text(zone_names, zone.key, where)) for zone in partnership.zones
        ),
        translations={},
    )


def load_partnership(data_dir: Path) -> Partnership:
    """The partnership described by `data_dir/partnership.toml`, with the translations
    in `data_dir/locales/partnership.<language>.toml`."""
    data_dir = Path(data_dir)
    partnership = parse_partnership(_read_toml(data_dir / PARTNERSHIP_FILE))
    translations = {
        path.stem.split(".", 1)[1]: translated(partnership, _read_toml(path), path.name)
        for path in sorted((data_dir / "locales").glob("partnership.*.toml"))
    }
    return replace(partnership, translations=translations)
