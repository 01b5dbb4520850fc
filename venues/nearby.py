"""The "what is near me and open now" use case, on top of the venue index."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from venues.locator import NearbyVenue, VenueIndex
from venues.model import Facility, Point


@dataclass(frozen=True, slots=True)
class NearbyAnswer:
    places: list[NearbyVenue]
    # More places match than were asked for (the bot offers "More").
    has_more: bool
    # Nothing matched within the radius: the nearest open place, however far.
    nearest_open_far: NearbyVenue | None = None


def find_nearby(
    index: VenueIndex,
    point: Point,
    at: datetime,
    *,
    limit: int = 5,
    include_closed: bool = False,
    facilities: Collection[Facility] = (),
    radius_m: float,
) -> NearbyAnswer:
    """Up to `limit` places within `radius_m`, nearest first: open ones only unless
    `include_closed`; when none is open nearby, also the nearest open one anywhere."""
    places, has_more = index.nearest_page(
        point,
        limit,
        at=at,
        open_only=not include_closed,
        facilities=facilities,
        max_distance_m=radius_m,
    )
    if any(place.state.is_open for place in places):
        return NearbyAnswer(places, has_more)
    far = index.nearest(point, 1, at=at, open_only=True, facilities=facilities)
    return NearbyAnswer(places, has_more, nearest_open_far=far[0] if far else None)
