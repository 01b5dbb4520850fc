"""Opening hours in OpenStreetMap syntax, evaluated in the deployment's time zone.

Parsing and evaluation are `opening-hours-py`'s (the maintained implementation
of the OSM specification); this module only adds the answers the bot needs —
open now? until when? when next? — and a venue's temporary closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

# A venue whose next change is further away than this is treated as never
# changing; it bounds the work of evaluating unusual expressions.
_HORIZON_DAYS = 366


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
    local = at.astimezone(zone)
    if closed_until is not None and local < closed_until:
        return OpenState(
            is_open=False,
            opens_next=_first_opening(parsed, closed_until.astimezone(zone)),
            reason=ClosedReason.TEMPORARILY_CLOSED,
        )
    if parsed.is_open(local):
        return OpenState(is_open=True, open_until=_as_zone(parsed.next_change(local), zone))
    opens_next = _first_opening(parsed, local)
    reason = ClosedReason.OUTSIDE_HOURS if opens_next else ClosedReason.NO_HOURS
    return OpenState(is_open=False, opens_next=opens_next, reason=reason)


def _first_opening(parsed: opening_hours.OpeningHours, local: datetime) -> datetime | None:
    if parsed.is_open(local):
        return local
    zone = local.tzinfo
    moment: datetime | None = local
    # Closed → unknown → open is possible; step over at most a few changes.
    for _ in range(4):
        moment = parsed.next_change(moment)
        if moment is None:
            return None
        if parsed.is_open(moment):
            return _as_zone(moment, zone)
    return None


def _as_zone(moment: datetime | None, zone: object) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
