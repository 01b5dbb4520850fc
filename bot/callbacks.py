"""Callback data of inline buttons: short, prefixed, parsed strictly.

Telegram keeps at most 64 bytes per button and hands back whatever a client
sends — so every parser here treats the data as untrusted input and returns
None for anything it did not make.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from venues.model import Facility, Point

MAX_CALLBACK_BYTES = 64
NEARBY_PREFIX = "n"
PLACE_PREFIX = "pl"
MAX_LIMIT = 15
PAGE_SIZE = 5

# The facilities people can filter by, in button order; each has one bit.
FILTER_FACILITIES: tuple[Facility, ...] = (
    Facility.FEMALE_STAFF,
    Facility.STEP_FREE,
    Facility.TOILETS,
    Facility.PHONE_CHARGING,
)


@dataclass(frozen=True, slots=True)
class NearbyQuery:
    """What a nearby answer shows: around a point or a named place, and how."""

    point: Point | None = None
    place_key: str | None = None
    include_closed: bool = False
    facilities: frozenset[Facility] = frozenset()
    limit: int = PAGE_SIZE

    def toggled(self, facility: Facility) -> NearbyQuery:
        return replace(self, facilities=self.facilities ^ {facility}, limit=PAGE_SIZE)

    def with_closed(self, include_closed: bool) -> NearbyQuery:
        return replace(self, include_closed=include_closed, limit=PAGE_SIZE)

    def more(self) -> NearbyQuery:
        return replace(self, limit=min(self.limit + PAGE_SIZE, MAX_LIMIT))


def _facility_bits(facilities: frozenset[Facility]) -> int:
    return sum(1 << i for i, facility in enumerate(FILTER_FACILITIES) if facility in facilities)


def _facilities_from_bits(bits: int) -> frozenset[Facility]:
    return frozenset(f for i, f in enumerate(FILTER_FACILITIES) if bits & (1 << i))


def encode_nearby(query: NearbyQuery) -> str:
    if query.place_key is not None:
        origin = f"@{query.place_key}"
    elif query.point is not None:
        origin = f"{query.point.latitude:.5f},{query.point.longitude:.5f}"
    else:
        raise ValueError("a nearby query needs a point or a place")
    flags = f"{int(query.include_closed)}{_facility_bits(query.facilities):x}{query.limit:x}"
    data = f"{NEARBY_PREFIX}|{origin}|{flags}"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


_NEARBY = re.compile(
    r"^n\|(?:@(?P<key>[0-9a-f]{8})|(?P<lat>-?\d{1,2}\.\d{1,6}),(?P<lon>-?\d{1,3}\.\d{1,6}))"
    r"\|(?P<closed>[01])(?P<bits>[0-9a-f])(?P<limit>[0-9a-f])$"
)


def decode_nearby(data: str | None) -> NearbyQuery | None:
    match = _NEARBY.match(data or "")
    if not match:
        return None
    limit = int(match["limit"], 16)
    bits = int(match["bits"], 16)
    if not PAGE_SIZE <= limit <= MAX_LIMIT or bits >= 1 << len(FILTER_FACILITIES):
        return None
    point = None
    if match["lat"] is not None:
        latitude, longitude = float(match["lat"]), float(match["lon"])
        if not valid_coordinates(latitude, longitude):
            return None
        point = Point(latitude, longitude)
    return NearbyQuery(
        point=point,
        place_key=match["key"],
        include_closed=match["closed"] == "1",
        facilities=_facilities_from_bits(bits),
        limit=limit,
    )


def encode_place(place_key: str) -> str:
    return f"{PLACE_PREFIX}|{place_key}"


_PLACE = re.compile(r"^pl\|(?P<key>[0-9a-f]{8})$")


def decode_place(data: str | None) -> str | None:
    match = _PLACE.match(data or "")
    return match["key"] if match else None


def valid_coordinates(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )
