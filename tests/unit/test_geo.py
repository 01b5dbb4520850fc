"""Distances: geopy's geodesic to the bit, the bounds the index relies on, walking minutes."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from geopy.distance import ELLIPSOIDS, geodesic

from venues.geo import (
    WGS84_FLATTENING,
    WGS84_MAJOR_KM,
    check_point,
    chord_within,
    distance_m,
    geodesic_m,
    lower_bounds_m,
    unit_vectors,
    upper_bound_m,
    walking_minutes,
)
from venues.model import Point

LEICESTER_SQUARE = Point(51.51030, -0.13010)
PICCADILLY_CIRCUS = Point(51.50998, -0.13448)


def _random_pairs(count: int, seed: int) -> list[tuple[float, float, float, float]]:
    """Pairs in London (near and far apart), anywhere on Earth, and nearly coincident."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        if i % 3 == 0:
            lat, lon = rng.uniform(51.28, 51.70), rng.uniform(-0.51, 0.34)
            pairs.append((lat, lon, rng.uniform(51.28, 51.70), rng.uniform(-0.51, 0.34)))
        elif i % 3 == 1:
            lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
            pairs.append((lat, lon, rng.uniform(-90, 90), rng.uniform(-180, 180)))
        else:
            lat, lon = rng.uniform(51.28, 51.70), rng.uniform(-0.51, 0.34)
            step = 10 ** rng.uniform(-8, -3)  # from about a millimetre to a hundred metres
            pairs.append((lat, lon, lat + step * rng.uniform(-1, 1), lon + step))
    return pairs


def _chord(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    vectors = unit_vectors(np.array([lat1, lat2]), np.array([lon1, lon2]))
    return float(np.linalg.norm(vectors[0] - vectors[1]))


def test_geodesic_m_is_geopys_geodesic_bit_for_bit() -> None:
    for lat1, lon1, lat2, lon2 in _random_pairs(1500, seed=1):
        assert geodesic_m(lat1, lon1, lat2, lon2) == geodesic((lat1, lon1), (lat2, lon2)).m


def test_geo_uses_geopys_wgs84_ellipsoid() -> None:
    major_km, _, flattening = ELLIPSOIDS["WGS-84"]
    assert (major_km, flattening) == (WGS84_MAJOR_KM, WGS84_FLATTENING)


def test_distance_leicester_square_to_piccadilly_circus() -> None:
    metres = distance_m(LEICESTER_SQUARE, PICCADILLY_CIRCUS)
    assert 300 < metres < 400
    assert metres == geodesic((51.51030, -0.13010), (51.50998, -0.13448)).m
    assert distance_m(PICCADILLY_CIRCUS, LEICESTER_SQUARE) == pytest.approx(metres, abs=1e-9)


def test_distance_of_a_point_to_itself_is_zero() -> None:
    assert distance_m(LEICESTER_SQUARE, LEICESTER_SQUARE) == 0.0


def test_lower_bound_never_exceeds_the_geodesic() -> None:
    antipodal = [(10.0, 20.0, -10.0, -160.0), (0.0, 0.0, 0.0, 180.0)]
    pairs = [*_random_pairs(1500, seed=2), *antipodal]
    chords = np.array([_chord(*pair) for pair in pairs])
    bounds = lower_bounds_m(chords)
    for pair, bound in zip(pairs, bounds, strict=True):
        assert bound <= geodesic_m(*pair), pair


def test_upper_bound_is_never_shorter_than_the_geodesic() -> None:
    """The index takes a venue for inside a radius on this bound alone."""
    antipodal = [(0.0, 0.0, 0.0, 179.7), (30.0, 10.0, -30.0, -170.0), (89.9, 0.0, -89.9, 180.0)]
    pairs = [*_random_pairs(1500, seed=5), *antipodal]
    bounds = lower_bounds_m(np.array([_chord(*pair) for pair in pairs]))
    for pair, bound in zip(pairs, bounds, strict=True):
        assert upper_bound_m(float(bound)) >= geodesic_m(*pair), pair


def test_upper_bound_is_within_two_percent_in_london() -> None:
    london = [pair for i, pair in enumerate(_random_pairs(300, seed=6)) if i % 3 == 0]
    for pair in london:
        bound = float(lower_bounds_m(np.array([_chord(*pair)]))[0])
        assert upper_bound_m(bound) < 1.02 * geodesic_m(*pair)


def test_lower_bound_is_within_one_percent_in_london() -> None:
    """A loose bound would make the index measure many needless candidates."""
    london = [pair for i, pair in enumerate(_random_pairs(300, seed=3)) if i % 3 == 0]
    for pair in london:
        bound = lower_bounds_m(np.array([_chord(*pair)]))[0]
        assert bound > 0.99 * geodesic_m(*pair)


def test_chord_within_holds_every_point_within_the_distance() -> None:
    for pair in _random_pairs(1500, seed=4):
        assert _chord(*pair) <= chord_within(geodesic_m(*pair)), pair
    assert chord_within(30_000_000) == 2.0  # further than anywhere: the whole sphere


@pytest.mark.parametrize(
    ("metres", "speed_kmh", "minutes"),
    [
        (0.0, 4.8, 1),  # never "0 minutes"
        (80.0, 4.8, 1),  # 4.8 km/h is 80 m a minute
        (81.0, 4.8, 2),
        (400.0, 4.8, 5),
        (400.5, 4.8, 6),
        (1000.0, 6.0, 10),
        (1001.0, 6.0, 11),
    ],
)
def test_walking_minutes_round_up_at_the_given_speed(
    metres: float, speed_kmh: float, minutes: int
) -> None:
    assert walking_minutes(metres, speed_kmh) == minutes


def test_walking_minutes_default_speed_is_4_8_kmh() -> None:
    assert walking_minutes(2400.0) == 30


def test_walking_minutes_refuse_a_speed_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        walking_minutes(100.0, 0.0)


@pytest.mark.parametrize(
    "point",
    [Point(91.0, 0.0), Point(0.0, -180.5), Point(math.nan, 0.0), Point(0.0, math.inf)],
)
def test_check_point_rejects_impossible_coordinates(point: Point) -> None:
    with pytest.raises(ValueError, match="coordinates"):
        check_point(point)
