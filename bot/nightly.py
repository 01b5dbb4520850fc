"""Tonight, for venue staff: until when "Closed tonight" hides a venue.

Pure: hours, an instant and the deployment's time zone in, an instant out.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from venues.hours import open_state


def end_of_night(now: datetime, timezone: str, night_ends: time) -> datetime:
    """The next local `night_ends` (06:00 by default) after `now`."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    day = local.date() if local.time() < night_ends else local.date() + timedelta(days=1)
    # Through UTC, so a wall time skipped by a clock change still names a real instant.
    return datetime.combine(day, night_ends, zone).astimezone(UTC).astimezone(zone)


def closed_tonight_until(hours: str, now: datetime, timezone: str, night_ends: time) -> datetime:
    """The end of tonight's opening: the current one if open now, else the next one that
    starts before the night ends; a venue that never closes is closed until the night ends.

    After that instant the venue's hours apply again, so it reappears at its next opening."""
    night_end = end_of_night(now, timezone, night_ends)
    state = open_state(hours, now, timezone)
    if state.is_open:
        return state.open_until or night_end
    if state.opens_next is not None and state.opens_next < night_end:
        return open_state(hours, state.opens_next, timezone).open_until or night_end
    return night_end
