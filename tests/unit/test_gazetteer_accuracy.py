"""The gazetteer's points are where the places are: postcode districts against an
independent reference table, every point inside the deployment's area, every
place's alert zone real and around it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from geopy.distance import geodesic

from bot.settings import Settings
from venues.model import BoundingBox, Point
from venues.partnership import load_partnership
from venues.places import Gazetteer, PlaceKind, load_gazetteer

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REFERENCE_FILE = "london-outcodes-reference.csv"
MAX_ERROR_M = 400
MIN_DISTRICTS_COMPARED = 40

# Districts where the reference table's point is not in the district at all, so
# the gazetteer keeps its own (placed from the district's streets). The test
# checks they still disagree: if the reference is corrected, drop the entry.
REFERENCE_IS_WRONG = {
    "N1": "N1 is Islington (Angel, Upper Street, Hoxton); the reference point is on "
    "Gray's Inn Road, in WC1X",
    "EC2N": "EC2N is Old Broad Street and Tower 42 (25 Old Broad St, EC2N 1HQ); the "
    "reference point is at the Barbican, 1 km north-west",
    "EC2Y": "EC2Y is the Barbican estate and London Wall, east of Aldersgate Street; the "
    "reference point is west of Aldersgate Street, in EC1A",
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(DATA_DIR)


def default_area() -> BoundingBox:
    factory = Settings.model_fields["bounding_box"].default_factory
    assert factory is not None
    return BoundingBox(*factory())  # type: ignore[call-arg]


def metres(a: Point, b: Point) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


def reference_centroids(shared_data: Path) -> dict[str, Point]:
    with (shared_data / REFERENCE_FILE).open(encoding="utf-8", newline="") as file:
        return {
            row["outcode"].strip().upper(): Point(float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(file)
        }


def test_gazetteer_districts_match_the_reference_within_400_m(
    gazetteer: Gazetteer, shared_data: Path
) -> None:
    reference = reference_centroids(shared_data)
    errors = {
        place.name: round(metres(place.point, reference[place.name]))
        for place in gazetteer.places
        if place.kind is PlaceKind.DISTRICT and place.name in reference
    }
    assert len(errors) >= MIN_DISTRICTS_COMPARED, f"only {len(errors)} districts compared"
    too_far = {
        district: error
        for district, error in sorted(errors.items())
        if error > MAX_ERROR_M and district not in REFERENCE_IS_WRONG
    }
    assert too_far == {}, f"districts more than {MAX_ERROR_M} m from the reference: {too_far}"
    still_disagree = {d for d in REFERENCE_IS_WRONG if errors.get(d, 0) > MAX_ERROR_M}
    assert still_disagree == set(REFERENCE_IS_WRONG), "reference now agrees; drop the exception"


def test_gazetteer_has_the_west_end_districts(gazetteer: Gazetteer) -> None:
    west_end = [f"W1{letter}" for letter in "ABCDFGHJKSTUW"] + [
        *(f"WC1{letter}" for letter in "ABEHNRVX"),
        *(f"WC2{letter}" for letter in "ABEHNR"),
        *(f"SW1{letter}" for letter in "AEHPVWXY"),
    ]
    missing = [district for district in west_end if gazetteer.district(district) is None]
    assert missing == []


def test_gazetteer_points_lie_inside_the_default_area(gazetteer: Gazetteer) -> None:
    area = default_area()
    outside = [place.name for place in gazetteer.places if not area.contains(place.point)]
    assert len(gazetteer.places) > 300
    assert outside == []


def test_gazetteer_names_are_unique(gazetteer: Gazetteer) -> None:
    names = [place.name.casefold() for place in gazetteer.places]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []


def test_gazetteer_zones_are_alert_zones_around_their_places(gazetteer: Gazetteer) -> None:
    zones = {zone.key: zone for zone in load_partnership(DATA_DIR).zones}
    misplaced = [
        f"{place.name} ({place.zone})"
        for place in gazetteer.places
        if place.zone is not None
        and (place.zone not in zones or not zones[place.zone].contains(place.point))
    ]
    assert misplaced == []


@pytest.mark.parametrize(
    "area_name",
    [
        "Soho",
        "Covent Garden",
        "Mayfair",
        "Fitzrovia",
        "Marylebone",
        "Victoria",
        "St James's",
        "Chinatown",
        "Bloomsbury",
        "Holborn",
        "Westminster",
        "West End",
    ],
)
def test_gazetteer_has_the_named_areas(gazetteer: Gazetteer, area_name: str) -> None:
    place = gazetteer.get(area_name)
    assert place is not None
    assert place.kind is PlaceKind.AREA
