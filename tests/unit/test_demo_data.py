"""The demo venues a deployment starts from: clearly demo, valid, in the area, and
enough open on a Friday night near Leicester Square to show what the bot does."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic

from bot.settings import Settings
from venues.hours import open_state, validate_hours
from venues.model import BoundingBox, Facility, Point, VenueKind
from venues.partnership import load_partnership
from venues.places import load_gazetteer
from venues.postcodes import is_postcode, normalise_postcode, outcode_of

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
COLUMNS = [
    "name",
    "kind",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "schemes",
    "facilities",
    "languages",
]
# Ofcom keeps 020 7946 0000–0999 for drama: never someone's real number.
DRAMA_PHONE = re.compile(r"^020 7946 0\d{3}$")
LONDON = ZoneInfo("Europe/London")
NEAR_M = 800


@pytest.fixture(scope="module")
def venues() -> list[dict[str, str]]:
    with (DATA_DIR / "demo_venues.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def point_of(venue: dict[str, str]) -> Point:
    return Point(float(venue["latitude"]), float(venue["longitude"]))


def metres(a: Point, b: Point) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def test_demo_venues_are_many_and_all_marked_demo(venues: list[dict[str, str]]) -> None:
    assert len(venues) >= 30
    assert [v["name"] for v in venues if not v["name"].startswith("Demo ")] == []
    assert all(1 <= len(v["name"]) <= 120 for v in venues)
    assert len({v["name"] for v in venues}) == len(venues)


def test_demo_venues_have_valid_kinds_and_hours(venues: list[dict[str, str]]) -> None:
    kinds = {kind.value for kind in VenueKind}
    assert [v["name"] for v in venues if v["kind"] not in kinds] == []
    invalid = {v["name"]: validate_hours(v["opening_hours"]) for v in venues}
    assert {name: error for name, error in invalid.items() if error} == {}
    assert {v["kind"] for v in venues} == kinds


def test_demo_venues_use_fictional_phone_numbers(venues: list[dict[str, str]]) -> None:
    assert [v["phone"] for v in venues if not DRAMA_PHONE.match(v["phone"])] == []
    assert len({v["phone"] for v in venues}) == len(venues)


def test_demo_venues_use_the_known_schemes_and_facilities(venues: list[dict[str, str]]) -> None:
    schemes = {scheme.name for scheme in load_partnership(DATA_DIR).schemes}
    facilities = {facility.value for facility in Facility}
    unknown_schemes = {s for v in venues for s in split(v["schemes"])} - schemes
    unknown_facilities = {f for v in venues for f in split(v["facilities"])} - facilities
    assert unknown_schemes == set()
    assert unknown_facilities == set()
    safe_havens = [v for v in venues if v["kind"] == VenueKind.SAFE_HAVEN]
    assert all("Safe Haven" in split(v["schemes"]) for v in safe_havens)


def test_demo_venues_include_a_name_with_ampersand_and_apostrophe(
    venues: list[dict[str, str]],
) -> None:
    assert any("&" in v["name"] and "'" in v["name"] for v in venues)


def test_demo_venues_lie_inside_the_default_area(venues: list[dict[str, str]]) -> None:
    factory = Settings.model_fields["bounding_box"].default_factory
    assert factory is not None
    area = BoundingBox(*factory())  # type: ignore[call-arg]
    assert [v["name"] for v in venues if not area.contains(point_of(v))] == []


def test_demo_venue_postcodes_match_where_they_are(
    venues: list[dict[str, str]], shared_data: Path
) -> None:
    with (shared_data / "london-outcodes-reference.csv").open(encoding="utf-8") as file:
        reference = {
            row["outcode"]: Point(float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(file)
        }
    gazetteer = load_gazetteer(DATA_DIR)
    mismatched = []
    for venue in venues:
        postcode = venue["postcode"]
        assert is_postcode(postcode), postcode
        assert normalise_postcode(postcode) == postcode
        assert gazetteer.place_postcode(postcode) is not None, postcode
        here = point_of(venue)
        district = outcode_of(postcode)
        nearest = sorted(reference, key=lambda code: metres(here, reference[code]))[:4]
        if district not in nearest or metres(here, reference[district]) > 1000:
            mismatched.append(f"{venue['name']}: {district}, nearest {nearest}")
    assert mismatched == []


def test_demo_venues_cover_each_area(venues: list[dict[str, str]]) -> None:
    for zone in load_partnership(DATA_DIR).zones:
        inside = [v for v in venues if zone.contains(point_of(v))]
        assert len(inside) >= 3, zone.name
        assert any(v["kind"] == VenueKind.SAFE_HAVEN for v in inside), zone.name


def _safe_havens_open_near_leicester_square(venues: list[dict[str, str]], at: datetime) -> int:
    square = load_gazetteer(DATA_DIR).get("Leicester Square")
    assert square is not None
    return sum(
        1
        for v in venues
        if v["kind"] == VenueKind.SAFE_HAVEN
        and metres(square.point, point_of(v)) <= NEAR_M
        and open_state(v["opening_hours"], at).is_open
    )


def test_demo_venues_friday_night_has_more_safe_havens_open_than_tuesday_afternoon(
    venues: list[dict[str, str]],
) -> None:
    friday_night = datetime(2025, 11, 21, 23, 40, tzinfo=LONDON)
    saturday_small_hours = datetime(2025, 11, 22, 2, 30, tzinfo=LONDON)
    tuesday_afternoon = datetime(2025, 11, 18, 14, 0, tzinfo=LONDON)
    on_friday = _safe_havens_open_near_leicester_square(venues, friday_night)
    after_midnight = _safe_havens_open_near_leicester_square(venues, saturday_small_hours)
    on_tuesday = _safe_havens_open_near_leicester_square(venues, tuesday_afternoon)
    assert on_friday >= 4
    assert after_midnight >= 3
    assert 1 <= on_tuesday < on_friday
