"""Distances on the WGS84 ellipsoid, and the sphere bounds that let an index search exactly.

The ground truth for every distance the bot shows is `geopy.distance.geodesic`
(Karney's algorithm from geographiclib, on WGS84). `geodesic_m` returns the
very float geopy's call returns, about ten times faster: `venues.karney` is
geographiclib's own computation written out for this one ellipsoid and for the
distance alone (tests hold it to geographiclib and to geopy, bit for bit).

A spatial index ranks candidates by the chord between unit vectors (points
placed on a unit sphere at their geodetic latitude and longitude). The chord
gives the central angle θ, and on WGS84 every geodesic satisfies

    a·(1 − e²)·θ  ≤  geodesic  ≤  a/√(1 − e²)·θ

because the map from that sphere to the ellipsoid stretches every direction
at every point by a factor between the meridian radius of curvature M and the
prime-vertical radius N, and a(1 − e²) ≤ M ≤ N ≤ a/√(1 − e²). So a candidate
whose lower bound exceeds the k-th best geodesic so far can never rank above
it: that is the proof of exactness the index relies on.
"""

from __future__ import annotations

import math

import numpy as np

# Re-exported: this module is where the rest of the project gets its distances.
from venues.karney import WGS84_FLATTENING as WGS84_FLATTENING
from venues.karney import WGS84_MAJOR_KM as WGS84_MAJOR_KM
from venues.karney import geodesic_m as geodesic_m
from venues.model import Point

_A_M = WGS84_MAJOR_KM * 1000.0
_E2 = WGS84_FLATTENING * (2.0 - WGS84_FLATTENING)
# Smallest and largest radius of curvature anywhere on WGS84 (equator meridian, pole).
MIN_RADIUS_M = _A_M * (1.0 - _E2)
MAX_RADIUS_M = _A_M / math.sqrt(1.0 - _E2)

# Float slack for the bounds: chords of nearby points lose ~1e-16 absolute, and
# geographiclib is accurate to ~15 nm; a millimetre and a part per billion cover both.
_SLACK_M = 1e-3
_SLACK_RATIO = 1e-9

DEFAULT_WALKING_SPEED_KMH = 4.8


def check_point(point: Point) -> None:
    """Raise ValueError for coordinates that are not WGS84 degrees."""
    lat, lon = point.latitude, point.longitude
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"coordinates must be finite numbers, got {lat}, {lon}")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: latitude {lat}, longitude {lon}")


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance in metres between two points (WGS84)."""
    return geodesic_m(a.latitude, a.longitude, b.latitude, b.longitude)


def unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """(n, 3) points on the unit sphere at these geodetic latitudes and longitudes."""
    lat = np.radians(np.asarray(latitudes, dtype=np.float64))
    lon = np.radians(np.asarray(longitudes, dtype=np.float64))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def unit_vector(point: Point) -> np.ndarray:
    return unit_vectors(np.array([point.latitude]), np.array([point.longitude]))[0]


def lower_bounds_m(chords: np.ndarray) -> np.ndarray:
    """Metres that the geodesic to a point at each chord is certainly not shorter than."""
    angles = 2.0 * np.arcsin(np.minimum(np.asarray(chords, dtype=np.float64) / 2.0, 1.0))
    return angles * (MIN_RADIUS_M * (1.0 - _SLACK_RATIO)) - _SLACK_M


def upper_bound_m(lower_bound: float) -> float:
    """Metres that the geodesic to a point is certainly not longer than, given the
    lower bound `lower_bounds_m` gave for it (the same angle, on the largest radius)."""
    angle = (lower_bound + _SLACK_M) / (MIN_RADIUS_M * (1.0 - _SLACK_RATIO))
    return angle * (MAX_RADIUS_M * (1.0 + _SLACK_RATIO)) + _SLACK_M


def chord_within(distance: float) -> float:
    """A chord that every point within `distance` metres (geodesic) lies inside."""
    angle = (distance + _SLACK_M) / MIN_RADIUS_M * (1.0 + _SLACK_RATIO)
    if angle >= math.pi:
        return 2.0  # the whole sphere
    return min(2.0, 2.0 * math.sin(angle / 2.0) * (1.0 + _SLACK_RATIO) + 1e-15)


def walking_minutes(distance: float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> int:
    """Whole minutes to walk `distance` metres at `speed_kmh`, rounded up, at least 1.

    The default 4.8 km/h (80 m a minute) is the usual planning figure for an adult
    walking in town; a nanominute of float noise is not rounded up to a whole minute.
    """
    if speed_kmh <= 0:
        raise ValueError("walking speed must be positive")
    minutes = distance / (speed_kmh * 1000.0 / 60.0)
    return max(1, math.ceil(minutes - 1e-9))
