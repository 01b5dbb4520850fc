"""The partnership's data, and whether Night Stars are on duty: local time, across
midnight and across the clocks changing."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from venues.model import Point
from venues.partnership import (
    NightStarsStatus,
    Partnership,
    PartnershipError,
    load_partnership,
    night_stars_status,
    parse_partnership,
)
from venues.places import load_gazetteer

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
LONDON = ZoneInfo("Europe/London")
WEEKEND_NIGHTS = "Fr,Sa 22:00-04:00"


def local(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


@pytest.fixture(scope="module")
def partnership() -> Partnership:
    return load_partnership(DATA_DIR)


def status(at: datetime, schedule: str = WEEKEND_NIGHTS) -> NightStarsStatus:
    return night_stars_status(schedule, at, "Europe/London")


# --- the schedule -----------------------------------------------------------------------------


def test_night_stars_on_duty_friday_night_until_four() -> None:
    # Friday 21 November 2025, 23:00.
    assert status(local(2025, 11, 21, 23, 0)) == NightStarsStatus(
        on_duty=True, until=local(2025, 11, 22, 4, 0)
    )


def test_night_stars_saturday_two_am_belongs_to_fridays_shift() -> None:
    now = status(local(2025, 11, 22, 2, 0))
    assert now.on_duty
    assert now.until == local(2025, 11, 22, 4, 0)


def test_night_stars_off_duty_saturday_morning_until_saturday_night() -> None:
    assert status(local(2025, 11, 22, 5, 0)) == NightStarsStatus(
        on_duty=False, next_on_duty=local(2025, 11, 22, 22, 0)
    )


def test_night_stars_sunday_small_hours_belong_to_saturdays_shift() -> None:
    assert status(local(2025, 11, 23, 3, 59)).on_duty
    assert not status(local(2025, 11, 23, 4, 0)).on_duty


def test_night_stars_off_duty_midweek_says_next_friday() -> None:
    # Monday evening → Friday 22:00; Friday 21:59 → a minute later.
    assert status(local(2025, 11, 24, 20, 0)).next_on_duty == local(2025, 11, 28, 22, 0)
    assert status(local(2025, 11, 28, 21, 59)).next_on_duty == local(2025, 11, 28, 22, 0)


def test_night_stars_status_reads_the_instant_in_local_time() -> None:
    # 21:30 UTC on Friday 4 July 2025 is 22:30 in London (BST): on duty, though
    # the UTC clock alone would say the shift has not started.
    at_utc = datetime(2025, 7, 4, 21, 30, tzinfo=UTC)
    now = status(at_utc)
    assert now.on_duty
    assert now.until == local(2025, 7, 5, 4, 0)
    assert now.until is not None
    assert now.until.astimezone(UTC).hour == 3


def test_night_stars_shift_when_clocks_go_forward() -> None:
    # Sunday 30 March 2025: 01:00 GMT becomes 02:00 BST during Saturday's shift.
    before = status(datetime(2025, 3, 30, 0, 30, tzinfo=UTC))  # 00:30 GMT
    after = status(datetime(2025, 3, 30, 2, 30, tzinfo=UTC))  # 03:30 BST
    assert before.on_duty
    assert after.on_duty
    assert before.until == after.until == local(2025, 3, 30, 4, 0)
    assert after.until is not None
    assert after.until.utcoffset() == timedelta(hours=1)
    # The shift is an hour shorter in real time: 22:00 GMT to 04:00 BST is 5 hours.
    started = local(2025, 3, 29, 22, 0)
    assert after.until.astimezone(UTC) - started.astimezone(UTC) == timedelta(hours=5)
    assert not status(datetime(2025, 3, 30, 3, 0, tzinfo=UTC)).on_duty  # 04:00 BST


def test_night_stars_shift_when_clocks_go_back() -> None:
    # Sunday 26 October 2025: 02:00 BST becomes 01:00 GMT; 01:30 happens twice.
    first = status(local(2025, 10, 26, 1, 30, fold=0))  # 00:30 UTC
    second = status(local(2025, 10, 26, 1, 30, fold=1))  # 01:30 UTC
    assert first.on_duty
    assert second.on_duty
    assert first.until == second.until == local(2025, 10, 26, 4, 0)
    assert second.until is not None
    assert second.until.utcoffset() == timedelta(0)
    assert not status(datetime(2025, 10, 26, 4, 0, tzinfo=UTC)).on_duty  # 04:00 GMT


def test_night_stars_next_shift_after_clocks_change_is_in_the_new_time() -> None:
    # Off duty on Tuesday 25 March (GMT); Friday 28 March is still GMT, the Friday
    # after the change (4 April) is BST: both at 22:00 local.
    assert status(local(2025, 3, 25, 12, 0)).next_on_duty == local(2025, 3, 28, 22, 0)
    april = status(local(2025, 4, 1, 12, 0)).next_on_duty
    assert april == local(2025, 4, 4, 22, 0)
    assert april is not None
    assert april.astimezone(UTC).hour == 21


def test_night_stars_deployment_adds_december_thursdays(partnership: Partnership) -> None:
    december = partnership.night_stars_status(local(2025, 12, 4, 23, 30))  # a Thursday
    november = partnership.night_stars_status(local(2025, 11, 27, 23, 30))  # a Thursday
    assert december == NightStarsStatus(on_duty=True, until=local(2025, 12, 5, 4, 0))
    assert november == NightStarsStatus(on_duty=False, next_on_duty=local(2025, 11, 28, 22, 0))


def test_night_stars_status_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        night_stars_status(WEEKEND_NIGHTS, datetime(2025, 11, 21, 23, 0), "Europe/London")


# --- the deployment's file --------------------------------------------------------------------


def test_partnership_has_the_emergency_contacts(partnership: Partnership) -> None:
    emergency = partnership.emergency
    assert emergency.emergency_numbers == ("999", "112")
    assert emergency.non_emergency_number == "101"
    assert emergency.sms_number == "999"
    assert "emergencySMS" in emergency.sms
    assert "register" in emergency.sms_registration
    assert "Angela" in emergency.ask_for_angela
    assert "55" in emergency.silent_call


def test_partnership_describes_night_stars(partnership: Partnership) -> None:
    stars = partnership.night_stars
    assert "volunteer" in stars.description
    assert stars.schedule_summary
    assert stars.contact.phone
    assert stars.contact.phone.startswith("020 7946 0")
    assert stars.contact.telegram
    assert stars.contact.telegram.startswith("@")
    assert stars.meeting_points
    gazetteer = load_gazetteer(DATA_DIR)
    unplaced = [
        point.place for point in stars.meeting_points if not gazetteer.get(point.place or "")
    ]
    assert unplaced == []


def test_partnership_lists_the_schemes(partnership: Partnership) -> None:
    names = {scheme.name for scheme in partnership.schemes}
    assert {
        "Safe Haven",
        "Women's Night Safety Charter",
        "Ask for Angela",
        "Best Bar None",
    } <= names
    assert partnership.scheme("ask for angela") is partnership.scheme("ask_for_angela") is not None


def test_partnership_zones_cover_the_west_end(partnership: Partnership) -> None:
    keys = {zone.key for zone in partnership.zones}
    expected = {"soho", "covent_garden", "leicester_square", "mayfair", "victoria", "fitzrovia"}
    assert expected | {"marylebone", "west_end"} <= keys
    west_end = partnership.zone("west_end")
    assert west_end is not None
    for key in expected | {"marylebone"}:
        zone = partnership.zone(key)
        assert zone is not None, key
        assert west_end.contains(zone.centre), key


def test_zone_contains_points_by_ground_distance(partnership: Partnership) -> None:
    soho = partnership.zone("soho")
    assert soho is not None
    assert soho.contains(Point(51.5136, -0.1340))  # Soho's centre
    assert not soho.contains(Point(51.4965, -0.1447))  # Victoria station, 2 km away


def _data() -> dict:
    return tomllib.loads((DATA_DIR / "partnership.toml").read_text(encoding="utf-8"))


def test_parse_partnership_rejects_a_schedule_that_is_not_opening_hours() -> None:
    data = _data()
    data["night_stars"]["schedule"] = "Fridays from ten"
    with pytest.raises(PartnershipError, match="schedule"):
        parse_partnership(data)


def test_parse_partnership_rejects_unknown_patrol_zone_and_bad_timezone() -> None:
    data = _data()
    data["night_stars"]["patrol_zones"] = ["atlantis"]
    with pytest.raises(PartnershipError, match="atlantis"):
        parse_partnership(data)
    data = _data()
    data["timezone"] = "Europe/Gotham"
    with pytest.raises(PartnershipError, match="time zone"):
        parse_partnership(data)


def test_load_partnership_reports_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "partnership.toml").write_text('name = "unterminated\n', encoding="utf-8")
    with pytest.raises(PartnershipError, match=r"partnership\.toml"):
        load_partnership(tmp_path)
