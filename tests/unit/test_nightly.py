"""Until when "Closed tonight" hides a venue: the end of tonight's opening."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.nightly import closed_tonight_until, end_of_night

LONDON = ZoneInfo("Europe/London")
SIX = time(6, 0)


def _london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("hours", "now", "until"),
    [
        # Open now: until it closes.
        ("Fr,Sa 22:00-04:00", _london(2026, 11, 28, 23, 40), _london(2026, 11, 29, 4, 0)),
        ("Mo-Su 10:00-24:00", _london(2026, 11, 28, 23, 40), _london(2026, 11, 29, 0, 0)),
        # Closed now, opening later tonight: until that opening ends.
        ("Fr,Sa 22:00-04:00", _london(2026, 11, 28, 15, 0), _london(2026, 11, 29, 4, 0)),
        ("Fr,Sa 22:00-04:00", _london(2026, 11, 28, 7, 0), _london(2026, 11, 29, 4, 0)),
        # Never closes, or not opening tonight: until the night ends.
        ("24/7", _london(2026, 11, 28, 23, 40), _london(2026, 11, 29, 6, 0)),
        ("24/7", _london(2026, 11, 29, 2, 0), _london(2026, 11, 29, 6, 0)),
        ("Mo 10:00-12:00", _london(2026, 11, 28, 23, 40), _london(2026, 11, 29, 6, 0)),
    ],
)
def test_closed_tonight_lasts_until_tonights_opening_ends(
    hours: str, now: datetime, until: datetime
) -> None:
    assert closed_tonight_until(hours, now, "Europe/London", SIX) == until


def test_end_of_night_across_the_clocks_going_forward() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; the night still ends at 06:00 local.
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    end = end_of_night(now, "Europe/London", SIX)
    assert end == _london(2026, 3, 29, 6, 0)
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
