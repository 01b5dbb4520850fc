"""What `venues.locator` keeps in memory: where venues are, what they are, whether they are open.

`SpatialIndex` keeps venues as unit vectors in a KD-tree (scipy's cKDTree) and
hands out candidates in shells of growing chord distance; `venues.geo` turns a
chord into a guaranteed lower bound on the geodesic, so the caller can stop
as soon as no further candidate can beat what it already has. The KD-tree won
against a uniform lat/lon grid and an R-tree (`rtree`) on build time and query
time at every size measured; `bench/locate.py` repeats the comparison.

`VenueColumns` stores the venues themselves compactly, field by field.

`OpenStates` remembers each distinct schedule's `OpenState` until it can next
change (a few hours at most), so a query evaluates opening hours only when a
schedule's state is stale rather than once per candidate: the benchmark shows
that halves the time of an open-now query.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import operator
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from scipy.spatial import cKDTree

from venues.geo import unit_vector, unit_vectors
from venues.hours import ClosedReason, HoursError, OpenState, open_state, parse_hours
from venues.model import Point, Venue

logger = logging.getLogger(__name__)

# A query asks the tree for this many times k first, then four times more each round.
_FIRST_SHELL_PER_K = 4
_FIRST_SHELL_EXTRA = 8
_GROWTH = 4
# Past this share of all points, one vectorised scan beats asking the tree for more.
_FULL_SCAN_SHARE = 0.25
_LEAF_SIZE = 16

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# A cached state is trusted for at most this long, and not within this margin of a
# change of UTC offset (see _valid_until).
_TRUSTED_FOR = timedelta(hours=6)
_CLOCK_CHANGE_MARGIN = timedelta(hours=2)


class SpatialIndex:
    """Points on the unit sphere, searched by chord distance."""

    def __init__(self, latitudes: np.ndarray, longitudes: np.ndarray) -> None:
        self._points = unit_vectors(latitudes, longitudes)
        self._tree = cKDTree(self._points, leafsize=_LEAF_SIZE) if len(self._points) else None

    def __len__(self) -> int:
        return len(self._points)

    def shells(
        self, point: Point, max_chord: float = 2.0, k: int = 1
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (positions, chords) of every point within `max_chord`, each once.

        Every chord in a shell is at least every chord in the shells before it;
        inside a shell the order is unspecified. The first shell holds a few
        times `k` points, so a caller that needs k results rarely asks twice.
        """
        count = len(self._points)
        if self._tree is None:
            return
        target = unit_vector(point)
        size = min(count, _FIRST_SHELL_PER_K * k + _FIRST_SHELL_EXTRA)
        yielded = np.empty(0, dtype=np.intp)
        while size < count * _FULL_SCAN_SHARE:
            chords, positions = self._tree.query(target, k=size, distance_upper_bound=max_chord)
            chords, positions = np.atleast_1d(chords), np.atleast_1d(positions)
            found = int(np.count_nonzero(positions < count))
            chords, positions = chords[:found], positions[:found]
            # A re-query may order equal chords differently: skip by identity, not rank.
            fresh = ~np.isin(positions, yielded, assume_unique=True)
            yield positions[fresh], chords[fresh]
            if found < size:
                return  # nothing else lies within max_chord
            yielded = positions
            size *= _GROWTH
        yield self._rest(target, max_chord, yielded)

    def _rest(
        self, target: np.ndarray, max_chord: float, yielded: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        chords = np.sqrt(((self._points - target) ** 2).sum(axis=1))
        wanted = chords <= max_chord
        wanted[yielded] = False
        positions = np.flatnonzero(wanted)
        return positions, chords[positions]


class VenueColumns:
    """Venues stored field by field, each repeated value once; a Venue is rebuilt on demand.

    A list of Venue objects costs about a kilobyte a venue (each has its own
    frozenset of facilities, tuple of schemes, copy of the hours text…). As
    columns — numbers in numpy arrays, shared values as codes into a table of
    distinct values — the index needs well under half that, and a caller may
    stream venues in without ever holding them all.
    """

    def __init__(self, venues: Iterable[Venue]) -> None:
        """Store `venues`, a batch at a time so that a stream is never held whole."""
        parts: list[list[Any]] = [[] for _ in _FIELD_NAMES]
        tables: list[dict[Any, int]] = [{} for _ in _FIELD_NAMES]
        stream = iter(venues)
        while batch := list(itertools.islice(stream, _BATCH)):
            for name, part, table in zip(_FIELD_NAMES, parts, tables, strict=True):
                values = map(operator.attrgetter(name), batch)
                if name in _NUMBERS:
                    part.append(np.fromiter(values, dtype=_NUMBERS[name], count=len(batch)))
                elif name in _SHARED:
                    codes = [
                        table[v] if v in table else table.setdefault(v, len(table)) for v in values
                    ]
                    part.append(np.array(codes, dtype=np.int32))
                else:
                    part.extend(values)
        self._columns: dict[str, Any] = {}
        for name, part, table in zip(_FIELD_NAMES, parts, tables, strict=True):
            if name in _NUMBERS:
                self._columns[name] = _Numbers(_joined(part, _NUMBERS[name]))
            elif name in _SHARED:
                self._columns[name] = _Coded(_joined(part, np.int32), list(table))
            else:
                self._columns[name] = part
        self._in_order = [self._columns[name] for name in _FIELD_NAMES]

    def __len__(self) -> int:
        return len(self._in_order[0])

    def numbers(self, name: str) -> np.ndarray:
        """A numeric column (id, latitude, longitude) as a numpy array."""
        column = self._columns[name]
        assert isinstance(column, _Numbers)
        return column.array

    def coded(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """A shared column as (each venue's code, the distinct value of each code)."""
        column = self._columns[name]
        assert isinstance(column, _Coded)
        return column.codes, column.values

    def venue(self, position: int) -> Venue:
        return Venue(*[column[position] for column in self._in_order])


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


class _Numbers:
    """A numpy column that hands out plain Python numbers, as a Venue holds them."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, position: int) -> Any:
        return self.array[position].item()


class _Coded:
    """A column of codes into a table of the distinct values."""

    def __init__(self, codes: np.ndarray, values: list[Any]) -> None:
        self.codes = codes
        self.values = values

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, position: int) -> Any:
        return self.values[self.codes[position]]


# Venue's fields in constructor order; a field added to Venue is kept as it is.
_FIELD_NAMES = [field.name for field in dataclasses.fields(Venue) if field.init]
_NUMBERS = {"id": np.int64, "latitude": np.float64, "longitude": np.float64}
# Fields whose values many venues share: each distinct value is stored once.
_SHARED = {
    "kind",
    "opening_hours",
    "schemes",
    "facilities",
    "languages",
    "status",
    "closed_until",
}
# Venues are read this many at a time: big enough for speed, small next to the whole.
_BATCH = 4096


def venue_open_state(
    hours: str, at: datetime, timezone: str, closed_until: datetime | None
) -> OpenState:
    """`open_state`, except that hours that do not parse count as unknown (closed).

    One bad row must not break every search; it is logged and never shown as open.
    """
    try:
        return open_state(hours, at, timezone, closed_until)
    except HoursError as error:
        logger.warning("venue opening hours do not parse (%s); treated as unknown", error)
        return OpenState(is_open=False, reason=ClosedReason.NO_HOURS)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


class OpenStates:
    """The OpenState of each schedule (hours, closed_until), cached until it can change.

    A state computed at t0 is reused for any instant in [t0, until), where
    `until` is an instant before which `open_state` provably answers the same
    (see `_valid_until`); outside that window it is computed afresh.
    """

    def __init__(self, schedules: Sequence[tuple[str, datetime | None]], timezone: str) -> None:
        self._schedules = list(schedules)
        self._timezone = timezone
        self._zone = ZoneInfo(timezone)
        size = len(self._schedules)
        self._open = np.zeros(size, dtype=bool)
        # Valid for valid_from <= t < valid_until (µs since the epoch); empty to begin with.
        self._valid_from = np.zeros(size, dtype=np.int64)
        self._valid_until = np.zeros(size, dtype=np.int64)
        self._states: list[OpenState | None] = [None] * size
        self._lock = threading.Lock()  # a refresh writes three arrays together

    def open_mask(self, codes: np.ndarray, at: datetime) -> np.ndarray:
        """Whether each schedule in `codes` is open at `at`."""
        now = _micros(at)
        with self._lock:
            self._refresh_stale(codes, at, now)
            return self._open[codes]

    def state(self, code: int, at: datetime) -> OpenState:
        now = _micros(at)
        with self._lock:
            if not self._valid_from[code] <= now < self._valid_until[code]:
                self._refresh_stale(np.array([code]), at, now)
            state = self._states[code]
        assert state is not None
        return state

    def _refresh_stale(self, codes: np.ndarray, at: datetime, now: int) -> None:
        stale = (self._valid_from[codes] > now) | (self._valid_until[codes] <= now)
        if not stale.any():
            return
        for code in np.unique(codes[stale]).tolist():
            hours, closed_until = self._schedules[code]
            state = venue_open_state(hours, at, self._timezone, closed_until)
            until = _valid_until(hours, closed_until, at, state, self._zone, self._timezone)
            self._states[code] = state
            self._open[code] = state.is_open
            self._valid_from[code] = now
            # An empty window still serves this very microsecond.
            self._valid_until[code] = max(now + 1, _micros(until))


def _valid_until(
    hours: str,
    closed_until: datetime | None,
    at: datetime,
    state: OpenState,
    zone: ZoneInfo,
    timezone: str,
) -> datetime:
    """The end of a window [at, end) over which `open_state` answers `state` throughout.

    Never more than a few hours ahead, and never close to a change of UTC
    offset: venues.hours corrects for the wall clock going back by looking up
    to two hours ahead, so near a clock change its answers can shift.
    """
    end = _next_possible_change(hours, closed_until, at.astimezone(zone), state, timezone)
    if end is None:
        return at
    end = min(end, at + _TRUSTED_FOR)
    # Two opposite clock changes within a few hours happen nowhere, so equal
    # offsets at both ends mean none in between.
    if _utc_offset(at, zone) != _utc_offset(end + _CLOCK_CHANGE_MARGIN, zone):
        return at
    return end


def _utc_offset(moment: datetime, zone: ZoneInfo) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _next_possible_change(
    hours: str,
    closed_until: datetime | None,
    local: datetime,
    state: OpenState,
    timezone: str,
) -> datetime | None:
    """An instant before which `open_state` cannot answer differently (away from clock changes).

    Why each case holds, given that the state only changes at the parser's
    change points and next_change(t) is the first one after t:
    - temporarily closed: until closed_until the answer depends on it alone;
    - open until T: open throughout, and the walk to the closing T passes the
      same change points from any t < T;
    - closed, opens at T: likewise closed throughout, with the same walk to T;
    - otherwise, before the next change point the walk is the same; and with
      no change point within the parser's horizon from t0 nor from t0 + the
      trusted span, there is none within the horizon from any t in between.
    None: no window can be vouched for.
    """
    if state.reason is ClosedReason.TEMPORARILY_CLOSED:
        return closed_until
    if state.is_open and state.open_until is not None:
        return state.open_until
    if not state.is_open and state.reason is ClosedReason.OUTSIDE_HOURS:
        return state.opens_next
    try:
        parsed = parse_hours(hours, timezone)
    except HoursError:
        return local + _TRUSTED_FOR  # the text is fixed: it will not parse later either
    change = parsed.next_change(local)
    if change is not None:
        return change if change.tzinfo else change.replace(tzinfo=local.tzinfo)
    if parsed.next_change(local + _TRUSTED_FOR) is None:
        return local + _TRUSTED_FOR
    return None
