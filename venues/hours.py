"""Opening hours in OpenStreetMap syntax, evaluated in the deployment's time zone.

Parsing and evaluation are `opening-hours-py`'s (the maintained implementation
of the OSM specification); this module only adds the answers the bot needs —
open now? until when? when next? — and a venue's temporary closure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

# A venue whose next change is further away than this is treated as never
# changing; it bounds the work of evaluating unusual expressions.
_HORIZON_DAYS = 366
_NO_OFFSET = timedelta(0)


class HoursError(ValueError):
    """Opening hours that do not parse; the message is the parser's own, on one line."""


class ClosedReason(StrEnum):
    OUTSIDE_HOURS = "outside_hours"  # closed now, opens again later
    TEMPORARILY_CLOSED = "temporarily_closed"  # staff closed it until an instant
    NO_HOURS = "no_hours"  # the hours never open (`off`) or nothing is known


@dataclass(frozen=True, slots=True)
class OpenState:
    is_open: bool
    # When open: when it closes (None: no closing time ahead, e.g. 24/7).
    open_until: datetime | None = None
    # When closed: when it next opens (None: not within a year).
    opens_next: datetime | None = None
    reason: ClosedReason | None = None


def _one_line(message: str) -> str:
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return " ".join(lines)


@lru_cache(maxsize=65536)
def parse_hours(text: str, timezone: str = "Europe/London") -> opening_hours.OpeningHours:
    """Parse (and cache, since many venues share the same hours) an expression."""
    if not text or not text.strip():
        raise HoursError("opening hours are empty")
    try:
        return opening_hours.OpeningHours(
            text.strip(), timezone=ZoneInfo(timezone), max_interval_days=_HORIZON_DAYS
        )
    except (SyntaxError, ValueError, opening_hours.ParserError) as error:
        raise HoursError(_one_line(str(error))) from None


def validate_hours(text: str) -> str | None:
    """The parser's message when `text` is not valid OSM opening hours, else None."""
    try:
        parse_hours(text)
    except HoursError as error:
        return str(error)
    return None


def open_state(
    hours: str,
    at: datetime,
    timezone: str = "Europe/London",
    closed_until: datetime | None = None,
) -> OpenState:
    """Whether a venue with these hours is open at the aware instant `at`."""
    if at.tzinfo is None:
        raise ValueError("open_state needs an aware datetime")
    parsed = parse_hours(hours, timezone)
    zone = ZoneInfo(timezone)
    # Compare instants in UTC: two datetimes in the same zone compare by wall
    # clock and ignore `fold`, which is wrong in the repeated autumn hour.
    if closed_until is not None and _utc(at) < _utc(closed_until):
        return OpenState(
            is_open=False,
            opens_next=_first_opening(parsed, closed_until, zone),
            reason=ClosedReason.TEMPORARILY_CLOSED,
        )
    if _is_open(parsed, at, zone):
        return OpenState(is_open=True, open_until=_open_until(parsed, at, zone))
    opens_next = _first_opening(parsed, at, zone)
    reason = ClosedReason.OUTSIDE_HOURS if opens_next else ClosedReason.NO_HOURS
    return OpenState(is_open=False, opens_next=opens_next, reason=reason)


# Closed → unknown → open is possible, and so are changes of comment only:
# step over at most a few changes.
_MAX_STEPS = 4


def _open_until(
    parsed: opening_hours.OpeningHours, at: datetime, zone: ZoneInfo
) -> datetime | None:
    moment: datetime | None = at
    for _ in range(_MAX_STEPS):
        moment = _next_change(parsed, moment, zone)
        if moment is None or not _is_open(parsed, moment, zone):
            return moment
    return None


def _first_opening(
    parsed: opening_hours.OpeningHours, start: datetime, zone: ZoneInfo
) -> datetime | None:
    moment: datetime | None = _local(start, zone)
    for _ in range(_MAX_STEPS + 1):
        if moment is None or _is_open(parsed, moment, zone):
            return moment
        moment = _next_change(parsed, moment, zone)
    return None


def _is_open(parsed: opening_hours.OpeningHours, moment: datetime, zone: ZoneInfo) -> bool:
    return parsed.is_open(_local(moment, zone))


def _state(
    parsed: opening_hours.OpeningHours, moment: datetime, zone: ZoneInfo
) -> tuple[opening_hours.State, str]:
    return parsed.state(_local(moment, zone))


def _next_change(
    parsed: opening_hours.OpeningHours, moment: datetime, zone: ZoneInfo
) -> datetime | None:
    """The first instant after `moment` at which the state changes, in `zone`.

    The parser evaluates wall-clock time. Around the autumn clock change it
    resolves a repeated wall time to its second occurrence, and it never sees
    the wall clock going back — both are corrected here.
    """
    change = parsed.next_change(_local(moment, zone))
    if change is not None:
        change = _first_occurrence_after(change, moment, zone)
    clock_back = _clock_goes_back(moment, change, zone)
    if clock_back is None:
        return change
    if _state(parsed, clock_back, zone) != _state(parsed, moment, zone):
        return clock_back
    return _next_change(parsed, clock_back, zone)


def _first_occurrence_after(wall: datetime, moment: datetime, zone: ZoneInfo) -> datetime:
    """The earliest instant after `moment` at which the wall clock shows `wall`."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    repeated = (first.utcoffset() or _NO_OFFSET) > (second.utcoffset() or _NO_OFFSET)
    if repeated and _utc(first) > _utc(moment):
        return _local(first, zone)
    return _local(second, zone)


# The wall clock going back only matters while the replayed times are ahead:
# within the size of the shift (at most two hours anywhere) of the change.
_REPLAY_WINDOW = timedelta(hours=2)


def _clock_goes_back(start: datetime, end: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The instant in (start, end] at which the wall clock goes back, if it does soon."""
    window_end = _utc(start) + _REPLAY_WINDOW
    if end is not None:
        window_end = min(window_end, _utc(end))
    before = _offset(start, zone)
    if not before > _offset(window_end, zone):
        return None
    # Zone offsets change on whole seconds: bisect between two POSIX seconds.
    low, high = math.floor(start.timestamp()), math.ceil(window_end.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(datetime.fromtimestamp(middle, UTC), zone) == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, zone)


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    return _local(instant, zone).utcoffset() or _NO_OFFSET


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant as the zone's wall clock shows it. Going through UTC also turns a
    wall time that does not exist (`now + timedelta` across the spring change) into
    the instant it denotes; `astimezone` alone returns it unchanged, and the parser
    refuses it."""
    return moment.astimezone(UTC).astimezone(zone)
