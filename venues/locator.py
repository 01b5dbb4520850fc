"""Nearest, open now: the k nearest public venues to a point, by true ground distance.

Distances are geodesics on WGS84 (`geopy.distance.geodesic`'s values, see
`venues.geo`); walking minutes assume 4.8 km/h unless told otherwise. The
ranking is (distance, venue id), exactly as `nearest_brute_force` finds by
measuring every venue, which the tests and `bench/locate.py` hold the index to.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from venues.geo import (
    DEFAULT_WALKING_SPEED_KMH,
    check_point,
    chord_within,
    geodesic_m,
    lower_bounds_m,
    upper_bound_m,
    walking_minutes,
)
from venues.hours import OpenState
from venues.index import OpenStates, SpatialIndex, VenueColumns, venue_open_state
from venues.model import Facility, Point, Venue, VenueKind

DEFAULT_TIMEZONE = "Europe/London"

_KIND_CODES = {kind: code for code, kind in enumerate(VenueKind)}
_FACILITY_BITS = {facility: 1 << bit for bit, facility in enumerate(Facility)}
# Candidates whose opening hours are checked together; enough for a typical query.
_CHUNK = 64


@dataclass(frozen=True, slots=True)
class NearbyVenue:
    venue: Venue
    distance_m: float  # geodesic, WGS84
    walking_minutes: int  # rounded up, at least 1
    state: OpenState  # at the instant asked about


@dataclass(frozen=True, slots=True)
class _Query:
    point: Point
    k: int
    at: datetime
    open_only: bool
    kind: VenueKind | None
    facilities: frozenset[Facility]
    max_distance_m: float | None


def _query(
    point: Point,
    k: int,
    at: datetime | None,
    open_only: bool,
    kind: VenueKind | None,
    facilities: Collection[Facility],
    max_distance_m: float | None,
) -> _Query:
    """The checked form of a search; the index and the brute force share it."""
    check_point(point)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be an aware datetime")
    if max_distance_m is not None and not max_distance_m >= 0:
        raise ValueError(f"max_distance_m must be a non-negative distance, got {max_distance_m}")
    return _Query(
        point=point,
        k=k,
        at=at,
        open_only=open_only,
        kind=VenueKind(kind) if kind is not None else None,
        facilities=frozenset(Facility(facility) for facility in facilities),
        max_distance_m=max_distance_m,
    )


def _facility_bits(facilities: Iterable[Facility]) -> int:
    return sum(_FACILITY_BITS[facility] for facility in facilities)


def _per_venue(per_value: list[int], codes: np.ndarray, dtype: type) -> np.ndarray:
    """Spread a number worked out once per distinct value over the venues' codes."""
    return np.array(per_value, dtype=dtype)[codes]


class VenueIndex:
    """An immutable snapshot of the public (active) venues; build a new one to refresh.

    Searches return exactly what `nearest_brute_force` returns. Walking minutes
    use `walking_speed_kmh` (default 4.8 km/h); opening hours are read in
    `timezone`. Safe to share between threads.
    """

    def __init__(
        self,
        venues: Iterable[Venue],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        walking_speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
    ) -> None:
        """Prefer `VenueIndex.build`, which says what it does."""
        if not walking_speed_kmh > 0:
            raise ValueError("walking speed must be positive")
        self._timezone = timezone
        self._walking_speed_kmh = walking_speed_kmh
        self._table = VenueColumns(venue for venue in venues if venue.is_public)
        self._ids = self._table.numbers("id")
        self._id_order = np.argsort(self._ids, kind="stable")
        self._sorted_ids = self._ids[self._id_order]
        if np.any(self._sorted_ids[1:] == self._sorted_ids[:-1]):
            raise ValueError("venue ids must be unique")
        self._latitudes = self._table.numbers("latitude")
        self._longitudes = self._table.numbers("longitude")
        if not (np.all(np.abs(self._latitudes) <= 90) and np.all(np.abs(self._longitudes) <= 180)):
            raise ValueError("venue coordinates must be WGS84 degrees")
        self._spatial = SpatialIndex(self._latitudes, self._longitudes)
        codes, kinds = self._table.coded("kind")
        self._kinds = _per_venue([_KIND_CODES[kind] for kind in kinds], codes, np.int8)
        codes, facilities = self._table.coded("facilities")
        self._facilities = _per_venue([_facility_bits(f) for f in facilities], codes, np.int32)
        self._schedule_codes, schedules = self._schedules()
        self._states = OpenStates(schedules, timezone)

    def _schedules(self) -> tuple[np.ndarray, list[tuple[str, datetime | None]]]:
        """Each venue's schedule code, and the distinct (hours, closed_until) schedules."""
        hour_codes, hours = self._table.coded("opening_hours")
        closure_codes, closures = self._table.coded("closed_until")
        width = max(1, len(closures))
        pairs = hour_codes.astype(np.int64) * width + closure_codes
        distinct, codes = np.unique(pairs, return_inverse=True)
        schedules = [(hours[pair // width], closures[pair % width]) for pair in distinct.tolist()]
        return codes.astype(np.int32), schedules

    @classmethod
    def build(
        cls,
        venues: Iterable[Venue],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        walking_speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
    ) -> VenueIndex:
        """Index the active venues among `venues`; the others are left out entirely.

        The index keeps no reference to the Venue objects (it stores their
        fields compactly), so `venues` may be a stream that is never held whole.
        Raises ValueError for duplicate ids or coordinates that are not degrees.
        """
        return cls(venues, timezone=timezone, walking_speed_kmh=walking_speed_kmh)

    def __len__(self) -> int:
        return len(self._table)

    def get(self, venue_id: int) -> Venue | None:
        """The active venue with this id, or None (unknown or not public)."""
        slot = int(np.searchsorted(self._sorted_ids, venue_id))
        if slot == len(self._sorted_ids) or self._sorted_ids[slot] != venue_id:
            return None
        return self._table.venue(int(self._id_order[slot]))

    def nearest(
        self,
        point: Point,
        k: int = 5,
        *,
        at: datetime | None = None,
        open_only: bool = False,
        kind: VenueKind | None = None,
        facilities: Collection[Facility] = (),
        max_distance_m: float | None = None,
    ) -> list[NearbyVenue]:
        """The k nearest active venues to `point`, nearest first (ties: lower id first).

        `at` (aware; default now) is the instant for opening states and for
        `open_only`; `kind` and `facilities` (all required) filter;
        `max_distance_m` bounds the geodesic. Fewer than k come back when fewer
        match; with no bound, the nearest match however far is found.
        """
        query = _query(point, k, at, open_only, kind, facilities, max_distance_m)
        return self._found(query, count_more=False)[0]

    def nearest_page(
        self,
        point: Point,
        k: int = 5,
        *,
        at: datetime | None = None,
        open_only: bool = False,
        kind: VenueKind | None = None,
        facilities: Collection[Facility] = (),
        max_distance_m: float | None = None,
    ) -> tuple[list[NearbyVenue], bool]:
        """`nearest`, and whether yet another venue matches (a "More" button).

        The one after the k is not measured when its bounds settle it: with a
        radius, a venue certainly inside it is enough."""
        query = _query(point, k, at, open_only, kind, facilities, max_distance_m)
        return self._found(query, count_more=True)

    def _found(self, query: _Query, *, count_more: bool) -> tuple[list[NearbyVenue], bool]:
        best, more = self._search(query, count_more)
        results = [self._result(distance, position, query.at) for distance, _, position in best]
        return results, more

    def _search(self, query: _Query, count_more: bool) -> tuple[list[tuple[float, int, int]], bool]:
        """(distance, id, position) of the k best matches, sorted; and, if asked,
        whether another match exists."""
        best: list[tuple[float, int, int]] = []
        more = False
        max_distance = math.inf if query.max_distance_m is None else query.max_distance_m

        def cut() -> float:
            """Candidates beyond this bound are of no use (yet)."""
            if len(best) < query.k or (count_more and not more):
                return max_distance
            return best[-1][0]

        for position, bound in self._candidates(query, cut):
            if bound > max_distance:
                break  # bounds only grow from here: nothing later can match
            full = len(best) == query.k
            if full and bound > best[-1][0]:
                # It cannot enter the k; it (or a later one) only tells whether more match.
                if not count_more or more:
                    break
                more = (
                    upper_bound_m(bound) <= max_distance
                    or self._distance(query, position) <= max_distance
                )
                if more:
                    break
                continue
            distance = self._distance(query, position)
            if distance <= max_distance:
                more = more or full  # one of the k is pushed out: it matches all the same
                bisect.insort(best, (distance, self._ids[position].item(), position))
                del best[query.k :]
        return best, more

    def _distance(self, query: _Query, position: int) -> float:
        return geodesic_m(
            query.point.latitude,
            query.point.longitude,
            self._latitudes[position].item(),
            self._longitudes[position].item(),
        )

    def _candidates(self, query: _Query, cut: Callable[[], float]) -> Iterator[tuple[int, float]]:
        """(position, lower bound in metres) of matching venues, bounds never decreasing.

        Opening hours are checked a chunk at a time, and only for candidates whose
        bound is within `cut()` (read as the caller finds more).
        """
        max_chord = 2.0 if query.max_distance_m is None else chord_within(query.max_distance_m)
        for shell, chords in self._spatial.shells(query.point, max_chord, query.k):
            shell, chords = self._static_matches(shell, chords, query)
            bounds = lower_bounds_m(chords)
            order = np.argsort(bounds, kind="stable")
            shell, bounds = shell[order], bounds[order]
            for start in range(0, len(shell), _CHUNK):
                chunk, chunk_bounds = shell[start : start + _CHUNK], bounds[start : start + _CHUNK]
                limit = cut()
                if limit < math.inf:
                    end = int(np.searchsorted(chunk_bounds, limit, side="right"))
                    chunk, chunk_bounds = chunk[:end], chunk_bounds[:end]
                    if end == 0:
                        return
                if query.open_only:
                    is_open = self._states.open_mask(self._schedule_codes[chunk], query.at)
                    chunk, chunk_bounds = chunk[is_open], chunk_bounds[is_open]
                yield from zip(chunk.tolist(), chunk_bounds.tolist(), strict=True)

    def _static_matches(
        self, positions: np.ndarray, chords: np.ndarray, query: _Query
    ) -> tuple[np.ndarray, np.ndarray]:
        """The candidates of the wanted kind that have every wanted facility."""
        if query.kind is None and not query.facilities:
            return positions, chords
        wanted = np.ones(len(positions), dtype=bool)
        if query.kind is not None:
            wanted &= self._kinds[positions] == _KIND_CODES[query.kind]
        if query.facilities:
            bits = _facility_bits(query.facilities)
            wanted &= (self._facilities[positions] & bits) == bits
        return positions[wanted], chords[wanted]

    def _result(self, distance: float, position: int, at: datetime) -> NearbyVenue:
        state = self._states.state(int(self._schedule_codes[position]), at)
        return NearbyVenue(
            venue=self._table.venue(position),
            distance_m=distance,
            walking_minutes=walking_minutes(distance, self._walking_speed_kmh),
            state=state,
        )


def nearest_brute_force(
    venues: Iterable[Venue],
    point: Point,
    k: int = 5,
    *,
    at: datetime | None = None,
    open_only: bool = False,
    kind: VenueKind | None = None,
    facilities: Collection[Facility] = (),
    max_distance_m: float | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    walking_speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
) -> list[NearbyVenue]:
    """The reference answer: measure every matching venue with geopy, sort, take k.

    Same arguments and meaning as `VenueIndex.nearest` (walking speed default
    4.8 km/h); it is slow on purpose and serves tests and the benchmark.
    """
    # Imported here: geopy loads its geocoders too, which only the reference needs.
    from geopy.distance import geodesic

    query = _query(point, k, at, open_only, kind, facilities, max_distance_m)
    if not walking_speed_kmh > 0:
        raise ValueError("walking speed must be positive")
    origin = (query.point.latitude, query.point.longitude)
    measured: list[tuple[float, int, Venue]] = []
    for venue in venues:
        if not venue.is_public:
            continue
        if query.kind is not None and venue.kind != query.kind:
            continue
        if not query.facilities <= venue.facilities:
            continue
        distance = geodesic(origin, (venue.latitude, venue.longitude)).m
        if query.max_distance_m is None or distance <= query.max_distance_m:
            measured.append((distance, venue.id, venue))
    measured.sort(key=lambda row: (row[0], row[1]))
    results: list[NearbyVenue] = []
    for distance, _, venue in measured:
        state = venue_open_state(venue.opening_hours, query.at, timezone, venue.closed_until)
        if query.open_only and not state.is_open:
            continue
        minutes = walking_minutes(distance, walking_speed_kmh)
        results.append(NearbyVenue(venue, distance, minutes, state))
        if len(results) == query.k:
            break
    return results
