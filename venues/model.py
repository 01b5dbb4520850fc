"""The venue register's plain values: what a venue is, independent of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class VenueKind(StrEnum):
    SAFE_HAVEN = "safe_haven"
    ACCREDITED = "accredited"


class VenueStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


class Facility(StrEnum):
    """The fixed vocabulary, from the Safe Haven criteria."""

    FEMALE_STAFF = "female_staff"
    FIRST_AID = "first_aid"
    TOILETS = "toilets"
    PHONE_CHARGING = "phone_charging"
    STEP_FREE = "step_free"
    WATER = "water"
    SEATING = "seating"
    CCTV = "cctv"


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position. Never stored when it is a person's."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """The deployment's area; venues and gazetteer points must lie inside."""

    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float

    def contains(self, point: Point) -> bool:
        return (
            self.min_latitude <= point.latitude <= self.max_latitude
            and self.min_longitude <= point.longitude <= self.max_longitude
        )


@dataclass(frozen=True, slots=True)
class Venue:
    id: int
    name: str
    kind: VenueKind
    address: str
    postcode: str | None
    latitude: float
    longitude: float
    opening_hours: str
    phone: str | None = None
    schemes: tuple[str, ...] = ()
    facilities: frozenset[Facility] = field(default_factory=frozenset)
    languages: tuple[str, ...] = ()
    status: VenueStatus = VenueStatus.ACTIVE
    closed_until: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def point(self) -> Point:
        return Point(self.latitude, self.longitude)

    @property
    def is_public(self) -> bool:
        """Only active venues are ever shown to the public."""
        return self.status is VenueStatus.ACTIVE
