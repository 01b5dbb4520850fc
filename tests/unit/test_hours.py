"""Opening hours at the instants that go wrong: past midnight, at midnight, the clock
changes, round the clock, never, a temporary closure, and text that does not parse.

Instants are compared in UTC: two datetimes in the same zone compare by wall
clock and ignore `fold`, which would hide exactly the autumn mistakes tested here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from venues.hours import ClosedReason, HoursError, OpenState, open_state, validate_hours

LONDON = ZoneInfo("Europe/London")
FRIDAY_AND_SATURDAY_NIGHTS = "Fr,Sa 22:00-04:00"


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def instant(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def assert_open(state: OpenState, until: datetime | None) -> None:
    assert (state.is_open, state.reason, state.opens_next) == (True, None, None)
    assert instant(state.open_until) == instant(until)


def assert_closed(state: OpenState, opens: datetime | None, reason: ClosedReason) -> None:
    assert (state.is_open, state.reason, state.open_until) == (False, reason, None)
    assert instant(state.opens_next) == instant(opens)


# --- past midnight and at midnight (9 June 2024 is a Sunday) ----------------------


def test_open_state_half_past_two_on_sunday_is_still_saturday_night() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, london(2024, 6, 9, 2, 30))
    assert_open(state, until=london(2024, 6, 9, 4, 0))


def test_open_state_answers_in_the_venue_zone_whatever_zone_asks() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, utc(2024, 6, 9, 1, 30))
    assert_open(state, until=london(2024, 6, 9, 4, 0))
    assert state.open_until is not None
    assert state.open_until.tzinfo == LONDON


def test_open_state_monday_half_past_two_waits_for_friday_night() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, london(2024, 6, 10, 2, 30))
    assert_closed(state, opens=london(2024, 6, 14, 22, 0), reason=ClosedReason.OUTSIDE_HOURS)


def test_open_state_closing_at_four_means_closed_at_four() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, london(2024, 6, 9, 4, 0))
    assert_closed(state, opens=london(2024, 6, 14, 22, 0), reason=ClosedReason.OUTSIDE_HOURS)


def test_open_state_minute_before_midnight_is_open_until_midnight() -> None:
    state = open_state("Fr 20:00-24:00", london(2024, 6, 7, 23, 59))
    assert_open(state, until=london(2024, 6, 8, 0, 0))


def test_open_state_midnight_after_a_range_ending_at_24_is_closed() -> None:
    state = open_state("Fr 20:00-24:00", london(2024, 6, 8, 0, 0))
    assert_closed(state, opens=london(2024, 6, 14, 20, 0), reason=ClosedReason.OUTSIDE_HOURS)


def test_open_state_rules_meeting_at_midnight_are_one_opening() -> None:
    state = open_state("Fr 20:00-24:00; Sa 00:00-02:00", london(2024, 6, 7, 23, 59))
    assert_open(state, until=london(2024, 6, 8, 2, 0))


@pytest.mark.parametrize(
    "at",
    [london(2024, 6, 8, 23, 59), london(2024, 6, 9, 0, 0), london(2024, 6, 9, 0, 1)],
    ids=["23:59", "00:00", "00:01"],
)
def test_open_state_range_past_midnight_is_open_either_side(at: datetime) -> None:
    assert_open(open_state("Sa 22:00-02:00", at), until=london(2024, 6, 9, 2, 0))


def test_open_state_range_past_midnight_waits_until_its_own_evening() -> None:
    state = open_state("Sa 22:00-02:00", london(2024, 6, 8, 21, 59))
    assert_closed(state, opens=london(2024, 6, 8, 22, 0), reason=ClosedReason.OUTSIDE_HOURS)


# --- spring forward: on 31 March 2024 01:00 GMT becomes 02:00 BST -----------------


def test_open_state_spring_night_closes_at_four_summer_time() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, utc(2024, 3, 31, 0, 59))
    assert_open(state, until=utc(2024, 3, 31, 3, 0))


def test_open_state_opening_in_the_missing_hour_opens_when_the_clock_jumps() -> None:
    state = open_state("Su 01:00-03:00", utc(2024, 3, 31, 0, 30))
    assert_closed(state, opens=utc(2024, 3, 31, 1, 0), reason=ClosedReason.OUTSIDE_HOURS)
    assert state.opens_next == london(2024, 3, 31, 2, 0)


def test_open_state_closing_in_the_missing_hour_closes_when_the_clock_jumps() -> None:
    assert_open(open_state("Sa 22:00-01:30", utc(2024, 3, 31, 0, 59)), until=utc(2024, 3, 31, 1))
    after = open_state("Sa 22:00-01:30", utc(2024, 3, 31, 1, 0))
    assert_closed(after, opens=london(2024, 4, 6, 22, 0), reason=ClosedReason.OUTSIDE_HOURS)


def test_open_state_reads_a_wall_time_in_the_missing_hour_as_its_instant() -> None:
    # 01:30 on that night never shows on a London clock; Python reads it as 01:30 GMT,
    # the instant the clock shows as 02:30 BST.
    missing = london(2024, 3, 31, 1, 30)
    assert instant(missing) == utc(2024, 3, 31, 1, 30)
    assert_open(open_state(FRIDAY_AND_SATURDAY_NIGHTS, missing), until=utc(2024, 3, 31, 3, 0))


# --- fall back: on 27 October 2024 01:00–02:00 happens twice (BST, then GMT) -------


def test_open_state_autumn_night_closes_at_four_winter_time() -> None:
    state = open_state(FRIDAY_AND_SATURDAY_NIGHTS, london(2024, 10, 27, 1, 30, fold=0))
    assert_open(state, until=utc(2024, 10, 27, 4, 0))


def test_open_state_closing_in_the_repeated_hour_closes_the_first_time() -> None:
    first_pass = london(2024, 10, 27, 1, 15, fold=0)
    assert instant(first_pass) == utc(2024, 10, 27, 0, 15)
    state = open_state("Sa 22:00-01:30", first_pass)
    assert_open(state, until=london(2024, 10, 27, 1, 30, fold=0))
    assert instant(state.open_until) == utc(2024, 10, 27, 0, 30)


def test_open_state_repeated_hour_reopens_when_the_clock_goes_back() -> None:
    # Opening hours are wall-clock times: at 01:00 GMT the clock reads 01:00 again.
    state = open_state("Sa 22:00-01:30", utc(2024, 10, 27, 0, 45))
    assert_closed(state, opens=utc(2024, 10, 27, 1, 0), reason=ClosedReason.OUTSIDE_HOURS)


def test_open_state_second_pass_of_the_repeated_hour_closes_the_second_time() -> None:
    second_pass = london(2024, 10, 27, 1, 15, fold=1)
    assert instant(second_pass) == utc(2024, 10, 27, 1, 15)
    state = open_state("Sa 22:00-01:30", second_pass)
    assert_open(state, until=london(2024, 10, 27, 1, 30, fold=1))
    assert instant(state.open_until) == utc(2024, 10, 27, 1, 30)


def test_open_state_opening_in_the_repeated_hour_opens_the_first_time() -> None:
    state = open_state("Su 01:30-03:00", utc(2024, 10, 27, 0, 0))
    assert_closed(state, opens=utc(2024, 10, 27, 0, 30), reason=ClosedReason.OUTSIDE_HOURS)


# --- round the clock and never --------------------------------------------------------


def test_open_state_round_the_clock_is_open_with_no_closing_time() -> None:
    assert_open(open_state("24/7", london(2024, 6, 9, 2, 30)), until=None)


def test_open_state_off_is_closed_with_no_next_opening() -> None:
    assert_closed(open_state("off", london(2024, 6, 9, 2, 30)), None, ClosedReason.NO_HOURS)


# --- a temporary closure ending mid-evening (8 June 2024 is a Saturday) -------------


def test_open_state_closed_until_mid_evening_opens_at_the_closure_end() -> None:
    closure_end = london(2024, 6, 8, 20, 30)
    state = open_state("Mo-Su 18:00-23:00", london(2024, 6, 8, 19, 0), closed_until=closure_end)
    assert_closed(state, opens=closure_end, reason=ClosedReason.TEMPORARILY_CLOSED)


def test_open_state_closure_ending_after_hours_opens_at_the_next_opening() -> None:
    closure_end = london(2024, 6, 8, 20, 30)
    state = open_state("Mo-Su 18:00-20:00", london(2024, 6, 8, 19, 0), closed_until=closure_end)
    expected = london(2024, 6, 9, 18, 0)
    assert_closed(state, opens=expected, reason=ClosedReason.TEMPORARILY_CLOSED)


def test_open_state_closure_in_utc_counts_by_instant() -> None:
    # 19:45 UTC is 20:45 BST: the closure ended at 20:30 BST.
    closure_end = utc(2024, 6, 8, 19, 30)
    state = open_state("Mo-Su 18:00-23:00", utc(2024, 6, 8, 19, 45), closed_until=closure_end)
    assert_open(state, until=london(2024, 6, 8, 23, 0))


def test_open_state_closure_ending_in_the_repeated_hour_counts_by_instant() -> None:
    # The closure ends at 01:15 GMT; 01:40 BST is earlier than that, however it reads.
    closure_end = london(2024, 10, 27, 1, 15, fold=1)
    at = london(2024, 10, 27, 1, 40, fold=0)
    state = open_state("Sa 22:00-04:00", at, closed_until=closure_end)
    assert_closed(state, opens=utc(2024, 10, 27, 1, 15), reason=ClosedReason.TEMPORARILY_CLOSED)


# --- text that does not parse -------------------------------------------------------


def test_validate_hours_gives_the_parser_message_on_one_line() -> None:
    assert validate_hours("Mo-Fx 10:00") == (
        "Failed to parse expression:  --> 1:4 | 1 | Mo-Fx 10:00 |    ^--- | = expected wday"
    )


def test_validate_hours_accepts_the_spec_forms() -> None:
    for hours in ["Mo-Fr 09:00-17:00", "Fr,Sa 22:00-04:00", "Mo 10:00-12:00,14:00-18:00",
                  "24/7", "off", "Mo-Th 17:00-23:00; Fr,Sa 17:00-03:00; Su off"]:  # fmt: skip
        assert validate_hours(hours) is None, hours


def test_open_state_on_unparseable_hours_raises_the_same_message() -> None:
    with pytest.raises(HoursError) as raised:
        open_state("Fr,Sa 25:00-04:00", london(2024, 6, 9, 2, 30))
    assert "\n" not in str(raised.value)
    assert str(raised.value) == validate_hours("Fr,Sa 25:00-04:00")
    assert str(raised.value).startswith("Failed to parse expression:")


def test_validate_hours_on_blank_text_says_it_is_empty() -> None:
    assert validate_hours("   ") == "opening hours are empty"


def test_open_state_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        open_state("24/7", datetime(2024, 6, 9, 2, 30))
