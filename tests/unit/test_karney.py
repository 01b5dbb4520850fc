"""venues.karney.geodesic_m returns geographiclib's very float, in every kind of case.

A specialised port is only worth having if it is exact: each family below is
compared with == against geographiclib itself (what geopy's geodesic uses), over
about 40,000 pairs here; the port was checked on 2,000,000 when it was written.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator

import pytest
from geographiclib.geodesic import Geodesic

import venues.karney as karney
from venues.karney import geodesic_m

_GEOD_KM = Geodesic(6378.137, 1 / 298.257223563)

Pair = tuple[float, float, float, float]


def geographiclib_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """What geopy's geodesic measures: geographiclib on WGS84 in km, as metres."""
    return _GEOD_KM.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"] * 1000


def clamp_lat(x: float) -> float:
    return -90.0 if x < -90 else 90.0 if x > 90 else x


def wrap_lon(x: float) -> float:
    if -180 <= x <= 180:
        return x
    return (x + 180) % 360 - 180


def rlat(rng: random.Random) -> float:
    return rng.uniform(-90, 90)


def rlon(rng: random.Random) -> float:
    return rng.uniform(-180, 180)


def sign(rng: random.Random) -> float:
    return rng.choice((-1.0, 1.0))


def logu(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def offset(rng: random.Random, lat: float, lon: float, dmin: float, dmax: float) -> Pair:
    """A second point roughly dmin..dmax metres from (lat, lon); lat clamped, lon wrapped."""
    d = logu(rng, dmin, dmax)
    b = rng.uniform(0, 2 * math.pi)
    dlat = d / 111_320 * math.cos(b)
    c = max(math.cos(math.radians(lat)), 1e-6)
    dlon = d / (111_320 * c) * math.sin(b)
    return lat, lon, clamp_lat(lat + dlat), wrap_lon(lon + dlon)


SPECIAL_LATS = [
    0.0,
    -0.0,
    90.0,
    -90.0,
    89.9999999,
    -89.9999999,
    89.999999999999,
    -89.99999999999,
    90 - 1e-12,
    -90 + 1e-12,
    1e-12,
    -1e-12,
    1e-300,
    45.0,
    -45.0,
    51.51,
    30.0,
    60.0,
    0.0625,
    -0.0625,
    0.0625 - 1e-17,
    1e-17,
]
SPECIAL_LONS = [
    0.0,
    -0.0,
    180.0,
    -180.0,
    179.9999999,
    -179.9999999,
    90.0,
    -90.0,
    1e-12,
    -1e-12,
    179.999999999999,
    -179.999999999999,
    45.0,
    135.0,
    -135.0,
    -0.13,
]


def fam_global(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        yield rlat(rng), rlon(rng), rlat(rng), rlon(rng)


def fam_global_sphere(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        yield (
            math.degrees(math.asin(rng.uniform(-1, 1))),
            rlon(rng),
            math.degrees(math.asin(rng.uniform(-1, 1))),
            rlon(rng),
        )


def fam_short(rng: random.Random, n: int) -> Iterator[Pair]:
    lats = [51.51, -33.9, 0.0, 10.0, 35.0, 60.0, 70.0, 80.0, 85.0, 89.0, 89.9, -89.9, -60.0]
    for _ in range(n):
        lat = rng.choice(lats) + rng.uniform(-0.5, 0.5) if rng.random() < 0.4 else rlat(rng)
        yield offset(rng, clamp_lat(lat), rlon(rng), 0.001, 5000.0)


def fam_london(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        lat = 51.51 + rng.uniform(-0.018, 0.018)
        lon = -0.13 + rng.uniform(-0.029, 0.029)
        yield offset(rng, lat, lon, 0.01, 2000.0)


def fam_identical(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            lat, lon = rlat(rng), rlon(rng)
        elif r < 0.8:
            lat, lon = rng.choice(SPECIAL_LATS) * sign(rng), rng.choice(SPECIAL_LONS) * sign(rng)
        else:
            lat, lon = float(rng.randint(-90, 90)), float(rng.randint(-180, 180))
        yield lat, lon, lat, lon


def fam_equator(rng: random.Random, n: int) -> Iterator[Pair]:
    zs = [0.0, -0.0, 1e-12, -1e-12, 1e-20, 1e-300, 0.05, 1e-7, -1e-7]
    for _ in range(n):
        lat1, lat2 = rng.choice(zs), rng.choice(zs)
        if rng.random() < 0.5:
            lat2 = lat1
        lon1 = rlon(rng)
        r = rng.random()
        if r < 0.4:
            lon2 = rlon(rng)
        elif r < 0.8:  # near antipodal along the equator (f*180 = 0.6 deg window)
            lon2 = wrap_lon(lon1 + sign(rng) * (180 - logu(rng, 1e-15, 2.0)))
        else:
            lon2 = wrap_lon(lon1 + sign(rng) * rng.choice((180.0, 179.4, 179.3964940803, 90.0)))
        yield lat1, lon1, lat2, lon2


def fam_meridional(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        lon1 = rlon(rng) if rng.random() < 0.7 else rng.choice(SPECIAL_LONS) * sign(rng)
        r = rng.random()
        if r < 0.4:
            lon2 = lon1
        elif r < 0.8:
            lon2 = lon1 + 180 if lon1 <= 0 else lon1 - 180
            if rng.random() < 0.2:
                lon2 = lon1 + sign(rng) * 180  # out of [-180, 180] is still finite
        else:
            lon2 = -lon1
        lat1 = rlat(rng) if rng.random() < 0.7 else rng.choice(SPECIAL_LATS) * sign(rng)
        q = rng.random()
        lat2 = (
            rlat(rng)
            if q < 0.5
            else -lat1
            if q < 0.75
            else clamp_lat(-lat1 + sign(rng) * logu(rng, 1e-15, 1.0))
        )
        yield lat1, lon1, lat2, lon2


def fam_antipodal(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        lat1 = rlat(rng) if rng.random() < 0.8 else rng.choice(SPECIAL_LATS) * sign(rng)
        lon1 = rlon(rng)
        lat2 = clamp_lat(-lat1 + (sign(rng) * logu(rng, 1e-15, 2.0) if rng.random() < 0.8 else 0))
        if rng.random() < 0.15:  # same latitude, ~180 deg apart: geodesic over the pole
            lat2 = lat1
        dl = logu(rng, 1e-15, 5.0) if rng.random() < 0.9 else 0.0
        lon2 = wrap_lon(lon1 + 180 - sign(rng) * dl)
        yield lat1, lon1, lat2, lon2


def fam_poles(rng: random.Random, n: int) -> Iterator[Pair]:
    pl = [
        90.0,
        -90.0,
        89.9999999,
        -89.9999999,
        90 - 1e-12,
        -90 + 1e-12,
        89.999999999999,
        89.9,
        -89.99,
        90 - 1e-9,
        90 - 1e-6,
    ]
    for _ in range(n):
        lat1, lon1 = rng.choice(pl), rlon(rng) if rng.random() < 0.7 else rng.choice(SPECIAL_LONS)
        r = rng.random()
        if r < 0.3:
            lat2, lon2 = rlat(rng), rlon(rng)
        elif r < 0.6:
            lat2, lon2 = rng.choice(pl), rlon(rng)
        elif r < 0.8:
            _, _, lat2, lon2 = offset(rng, lat1, lon1, 0.001, 5000.0)
        else:
            lat2, lon2 = clamp_lat(lat1 - sign(rng) * logu(rng, 1e-12, 1.0)), lon1
        if rng.random() < 0.5:
            lat1, lon1, lat2, lon2 = lat2, lon2, lat1, lon1
        yield lat1, lon1, lat2, lon2


def fam_antimeridian(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        lat1 = rlat(rng)
        lon1 = sign(rng) * (180 - (logu(rng, 1e-13, 1.0) if rng.random() < 0.8 else 0.0))
        r = rng.random()
        if r < 0.4:
            lat2 = clamp_lat(lat1 + rng.uniform(-0.05, 0.05))
            lon2 = -sign(rng) * (180 - (logu(rng, 1e-13, 1.0) if rng.random() < 0.8 else 0.0))
        elif r < 0.7:
            lat2, lon2 = rlat(rng), rng.choice((180.0, -180.0))
        else:
            _, _, lat2, lon2 = offset(rng, lat1, lon1, 0.001, 5000.0)
        yield lat1, lon1, lat2, lon2


def fam_tiny(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        lat1 = rlat(rng) if rng.random() < 0.6 else rng.choice(SPECIAL_LATS) * sign(rng)
        lon1 = rlon(rng) if rng.random() < 0.6 else rng.choice(SPECIAL_LONS) * sign(rng)
        k = rng.choice((1e-12, 1e-13, 1e-14, 1e-15, 3e-12, 1e-11, 1e-10))
        r = rng.random()
        dlat = k * rng.randint(-3, 3) if r < 0.7 else 0.0
        dlon = k * rng.randint(-3, 3) if r > 0.3 else 0.0
        yield lat1, lon1, clamp_lat(lat1 + dlat), wrap_lon(lon1 + dlon)


def fam_integers(rng: random.Random, n: int) -> Iterator[Pair]:
    for i in range(n):
        p = (
            rng.randint(-90, 90),
            rng.randint(-180, 180),
            rng.randint(-90, 90),
            rng.randint(-180, 180),
        )
        if rng.random() < 0.3:  # mostly-special integer combinations
            p = (
                p[0],
                p[1],
                rng.choice((-p[0], p[0], 0, 90, -90)),
                rng.choice((p[1], p[1] + 180 if p[1] <= 0 else p[1] - 180, -p[1], 180, -180)),
            )
        yield p if i % 2 else tuple(float(x) for x in p)  # type: ignore[misc]


def fam_invalid(rng: random.Random, n: int) -> Iterator[Pair]:
    bad = [math.nan, math.inf, -math.inf, 90.5, -91.0, 1e300]
    for _ in range(n):
        p = [rlat(rng), rlon(rng), rlat(rng), rlon(rng)]
        i = rng.randrange(4)
        p[i] = rng.choice(bad)
        if rng.random() < 0.3:
            p[rng.randrange(4)] = rng.choice(bad)
        yield p[0], p[1], p[2], p[3]


FAMILIES: list[tuple[str, Callable[[random.Random, int], Iterator[Pair]], int]] = [
    ("global uniform", fam_global, 8_000),
    ("global uniform-on-sphere", fam_global_sphere, 2_000),
    ("short 1 mm-5 km, many lats", fam_short, 8_000),
    ("London <= 2 km", fam_london, 4_000),
    ("identical points", fam_identical, 1_000),
    ("equator (+ near-antipodal)", fam_equator, 2_000),
    ("meridional (same / +-180 lon)", fam_meridional, 3_000),
    ("nearly antipodal", fam_antipodal, 4_000),
    ("poles / near poles", fam_poles, 2_000),
    ("antimeridian +-180", fam_antimeridian, 2_000),
    ("tiny differences 1e-15..1e-10", fam_tiny, 2_000),
    ("integer degrees (int & float)", fam_integers, 2_000),
    ("invalid (nan/inf/|lat|>90)", fam_invalid, 200),
]


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize(("name", "family", "count"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_the_port_measures_exactly_what_geographiclib_does(
    name: str, family: Callable[[random.Random, int], Iterator[Pair]], count: int
) -> None:
    rng = random.Random(name)
    different = [
        pair for pair in family(rng, count) if not _same(geographiclib_m(*pair), geodesic_m(*pair))
    ]
    assert different == []


@pytest.mark.parametrize(
    ("newton_limit", "total_limit"), [(0, 83), (2, 83), (3, 5), (0, 4), (1, 2), (0, 0)]
)
def test_the_rarely_needed_bisection_is_exact_too(
    monkeypatch: pytest.MonkeyPatch, newton_limit: int, total_limit: int
) -> None:
    """On WGS84 Newton's method converges before its limits; lowered in both
    implementations, the bisection fallback and the last-iteration exit run."""
    monkeypatch.setattr(Geodesic, "maxit1_", newton_limit)
    monkeypatch.setattr(Geodesic, "maxit2_", total_limit)
    monkeypatch.setattr(karney, "_MAXIT1", newton_limit)
    monkeypatch.setattr(karney, "_MAXIT2", total_limit)
    rng = random.Random(newton_limit * 100 + total_limit)
    for family in (fam_global, fam_antipodal, fam_short, fam_poles, fam_equator):
        for pair in family(rng, 150):
            assert _same(geographiclib_m(*pair), geodesic_m(*pair)), pair


def test_the_astroid_start_is_exact_for_every_argument() -> None:
    # Its "y == 0, |x| <= 1" branch cannot be reached through geodesic_m.
    rng = random.Random(5)
    for i in range(5_000):
        x = rng.uniform(-3, 3) if i % 2 else rng.uniform(-1, 1)
        y = 0.0 if i % 3 == 0 else rng.uniform(-3, 3) * 10 ** -rng.randint(0, 12)
        assert _same(Geodesic._Astroid(x, y), karney._astroid(x, y)), (x, y)
