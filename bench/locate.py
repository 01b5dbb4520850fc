"""Benchmark "nearest, open now": the venue index against a brute-force geodesic scan.

Run from the repo root:  .venv/bin/python bench/locate.py [--quick]
(about 2½ minutes; --quick about half a minute)

It prints, in order: peak RSS of fresh processes (imports only, then 100k
indexed venues); the spatial-index contenders (KD-tree, uniform grid, R-tree
from the optional `rtree` package); k=5 open-now queries, index against
`nearest_brute_force` (geopy on every venue) at 1k/10k/100k with the speedup;
the index alone up to 1M venues; the opening-hours cache on and defeated;
identical answers on random searches; the rebuild time.

Every ratio is against a baseline measured in the same run. Synthetic venues
cover Greater London (lat 51.28–51.70, lon −0.51–0.34), half spread evenly and
half around night-time hotspots, with a mixture of Safe Haven, late-bar, club,
24/7, day-time and `off` hours, and a few temporary closures.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from venues.geo import unit_vector, unit_vectors
from venues.locator import VenueIndex, nearest_brute_force
from venues.model import Facility, Point, Venue, VenueKind, VenueStatus

LONDON = ZoneInfo("Europe/London")
MIN_LAT, MAX_LAT, MIN_LON, MAX_LON = 51.28, 51.70, -0.51, 0.34
HOTSPOTS = [  # (latitude, longitude, spread in degrees)
    (51.5103, -0.1301, 0.006),  # Leicester Square
    (51.5136, -0.1365, 0.005),  # Soho
    (51.5246, -0.0786, 0.006),  # Shoreditch
    (51.5390, -0.1426, 0.005),  # Camden
    (51.4613, -0.1156, 0.005),  # Brixton
    (51.4620, -0.1680, 0.005),  # Clapham
    (51.5450, -0.0553, 0.005),  # Dalston
    (51.5055, -0.0235, 0.004),  # Canary Wharf
    (51.4927, -0.2229, 0.005),  # Hammersmith
    (51.5154, -0.0922, 0.004),  # the City
]
# (weight, kind, hours): what a partnership's register looks like, roughly.
HOURS_MIX = [
    (10, VenueKind.SAFE_HAVEN, "Fr,Sa 22:00-04:00"),
    (3, VenueKind.SAFE_HAVEN, "Th-Sa 21:00-03:00"),
    (2, VenueKind.SAFE_HAVEN, "24/7"),
    (22, VenueKind.ACCREDITED, "Mo-Th 17:00-23:{m}0; Fr,Sa 17:00-0{h}:00; Su 12:00-22:30"),
    (18, VenueKind.ACCREDITED, "Mo-Sa 11:00-23:00; Su 12:00-22:30"),
    (12, VenueKind.ACCREDITED, "Th-Sa 22:00-0{h}:00"),
    (10, VenueKind.ACCREDITED, "Mo-Su 12:00-15:00,17:{m}0-23:00"),
    (8, VenueKind.ACCREDITED, "24/7"),
    (10, VenueKind.ACCREDITED, "Mo-Fr 09:00-17:{m}0"),
    (5, VenueKind.ACCREDITED, "off"),
]
FACILITIES = list(Facility)
SCHEMES = [("Safe Haven",), ("Women's Night Safety Charter",), ("Ask for Angela", "Best Bar None")]
STREETS = [
    "Charing Cross Road",
    "Old Compton Street",
    "Shoreditch High Street",
    "Camden High Street",
]
# Nights and days the bot is asked about: local wall-clock instants.
INSTANTS = [
    datetime(2026, 5, 16, 23, 40, tzinfo=LONDON),  # Saturday night
    datetime(2026, 5, 15, 22, 15, tzinfo=LONDON),  # Friday night
    datetime(2026, 5, 17, 3, 30, tzinfo=LONDON),  # small hours of Sunday
    datetime(2026, 5, 19, 15, 0, tzinfo=LONDON),  # Tuesday afternoon
    datetime(2026, 5, 19, 5, 0, tzinfo=LONDON),  # Tuesday, before dawn
]
SATURDAY_NIGHT = INSTANTS[0]
T = TypeVar("T")


def _coordinates(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.5:
        return rng.uniform(MIN_LAT, MAX_LAT), rng.uniform(MIN_LON, MAX_LON)
    lat, lon, spread = rng.choice(HOTSPOTS)
    return (
        min(MAX_LAT, max(MIN_LAT, rng.gauss(lat, spread))),
        min(MAX_LON, max(MIN_LON, rng.gauss(lon, spread * 1.6))),
    )


def _status(rng: random.Random) -> VenueStatus:
    roll = rng.random()
    if roll < 0.90:
        return VenueStatus.ACTIVE
    return (VenueStatus.PENDING, VenueStatus.SUSPENDED, VenueStatus.REJECTED)[int(roll * 100) % 3]


def synthetic_venues(count: int, seed: int = 1) -> list[Venue]:
    """`count` venues across Greater London, ids 1..count in random order of place."""
    return list(stream_synthetic_venues(count, seed))


def stream_synthetic_venues(count: int, seed: int = 1) -> Iterator[Venue]:
    """The same venues one at a time, as rows come from a database cursor.

    Each venue owns its strings, tuple, frozenset and datetimes, as
    venues.repository builds them from rows: nothing is shared by accident.
    """
    rng = random.Random(seed)
    weights = [weight for weight, _, _ in HOURS_MIX]
    registered = datetime(2025, 1, 1, tzinfo=UTC)
    for venue_id in range(1, count + 1):
        _, kind, template = rng.choices(HOURS_MIX, weights)[0]
        hours = template.format(m=rng.choice("0134"), h=rng.choice("1234"))
        closed_until = None
        if rng.random() < 0.03:  # staff closed it for a few hours or days
            closed_until = SATURDAY_NIGHT + timedelta(hours=rng.uniform(-48, 96))
        lat, lon = _coordinates(rng)
        created = registered + timedelta(seconds=rng.randint(0, 40_000_000))
        yield Venue(
            id=venue_id,
            name=f"Venue {venue_id}",
            kind=kind,
            address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, London",
            postcode=f"W{rng.randint(1, 14)}{rng.choice('ABCDEFG')} {rng.randint(1, 9)}QU",
            latitude=lat,
            longitude=lon,
            opening_hours=hours,
            phone=f"020 7{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            schemes=tuple(list(rng.choice(SCHEMES))),
            facilities=frozenset(Facility(f.value) for f in FACILITIES if rng.random() < 0.45),
            status=_status(rng),
            closed_until=closed_until,
            created_at=created,
            updated_at=created + timedelta(seconds=rng.randint(0, 1_000_000)),
        )


def query_points(count: int, seed: int = 2) -> list[Point]:
    rng = random.Random(seed)
    return [Point(*_coordinates(rng)) for _ in range(count)]


# ---------------------------------------------------------------- timing


def _time_each(calls: Sequence[Callable[[], T]]) -> list[float]:
    """Seconds per call."""
    return _timed_results(calls)[0]


def _timed_results(calls: Sequence[Callable[[], T]]) -> tuple[list[float], list[T]]:
    """Seconds per call and what each returned (the garbage collector left on, as in use)."""
    gc.collect()
    times, results = [], []
    for call in calls:
        start = time.perf_counter()
        results.append(call())
        times.append(time.perf_counter() - start)
    return times, results


def _p95(times: Sequence[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def _header(title: str) -> None:
    print(f"\n== {title}")


# ------------------------------------------------ spatial index contenders
# Each answers "the k nearest points by chord between unit vectors", the
# question the product asks its index. Only the winner lives in venues/.


class GridIndex:
    """A uniform lat/lon grid (cells of equal size), searched ring by ring."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray, per_cell: float = 8.0) -> None:
        self.points = unit_vectors(lats, lons)
        cells_wanted = max(1.0, len(lats) / per_cell)
        # Square cells on the ground: a degree of longitude is cos(lat) of one of latitude.
        self.lat0, self.lon0 = float(lats.min()), float(lons.min())
        height = max(1e-9, float(lats.max()) - self.lat0)
        width = max(1e-9, float(lons.max()) - self.lon0)
        shrink = math.cos(math.radians(float(lats.mean())))
        self.cell = math.sqrt(height * width * shrink / cells_wanted)
        self.cell_lat, self.cell_lon = self.cell, self.cell / shrink
        self.rows = int(height / self.cell_lat) + 1
        self.cols = int(width / self.cell_lon) + 1
        rows = ((lats - self.lat0) / self.cell_lat).astype(np.int64)
        cols = ((lons - self.lon0) / self.cell_lon).astype(np.int64)
        keys = rows * self.cols + cols
        self.order = np.argsort(keys, kind="stable")
        self.starts = np.searchsorted(keys[self.order], np.arange(self.rows * self.cols + 1))
        # The ground width of one ring, as a chord, with a margin for the cells' shape.
        self.ring_chord = math.radians(self.cell_lat) * 0.98

    def _ring(self, row: int, col: int, radius: int) -> np.ndarray:
        members = []
        for r in range(row - radius, row + radius + 1):
            if not 0 <= r < self.rows:
                continue
            edge = r in (row - radius, row + radius)
            cols = range(col - radius, col + radius + 1) if edge else (col - radius, col + radius)
            for c in cols:
                if 0 <= c < self.cols:
                    key = r * self.cols + c
                    members.append(self.order[self.starts[key] : self.starts[key + 1]])
        return np.concatenate(members) if members else np.empty(0, dtype=np.int64)

    def query(self, point: Point, k: int) -> np.ndarray:
        target = unit_vector(point)
        row = min(self.rows - 1, max(0, int((point.latitude - self.lat0) / self.cell_lat)))
        col = min(self.cols - 1, max(0, int((point.longitude - self.lon0) / self.cell_lon)))
        found = np.empty(0, dtype=np.int64)
        chords = np.empty(0)
        radius = 0
        while radius <= max(self.rows, self.cols):
            ring = self._ring(row, col, radius)
            if len(ring):
                found = np.concatenate((found, ring))
                chords = np.concatenate(
                    (chords, np.linalg.norm(self.points[ring] - target, axis=1))
                )
                if len(found) > k:
                    keep = np.argpartition(chords, k - 1)[:k]
                    found, chords = found[keep], chords[keep]
            # Points in ring radius+1 lie at least `radius` cells away.
            if len(found) >= k and chords.max() <= radius * self.ring_chord:
                break
            radius += 1
        return found[np.argsort(chords, kind="stable")][:k]


class KDTreeIndex:
    """scipy's cKDTree over 3-D unit vectors: the product's choice (venues.index)."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray) -> None:
        self.tree = cKDTree(unit_vectors(lats, lons), leafsize=16)

    def query(self, point: Point, k: int) -> np.ndarray:
        return np.atleast_1d(self.tree.query(unit_vector(point), k=k)[1])


class RTreeIndex:
    """libspatialindex's R*-tree (the `rtree` package) over 3-D unit vectors, bulk-loaded."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray) -> None:
        import rtree

        points = unit_vectors(lats, lons)
        properties = rtree.index.Property(dimension=3)
        stream = ((i, (*p, *p), None) for i, p in enumerate(points.tolist()))
        self.index = rtree.index.Index(stream, properties=properties)

    def query(self, point: Point, k: int) -> np.ndarray:
        target = unit_vector(point).tolist()
        return np.fromiter(self.index.nearest((*target, *target), k), dtype=np.int64)[:k]


def compare_spatial_indexes(sizes: Sequence[int], queries: int) -> None:
    _header("spatial index contenders: k=16 nearest by chord (the index's own question)")
    try:
        import rtree  # noqa: F401

        contenders: list[tuple[str, type]] = [
            ("kd-tree", KDTreeIndex),
            ("grid", GridIndex),
            ("r-tree", RTreeIndex),
        ]
    except ImportError:
        print("   (rtree is not installed: `.venv/bin/pip install rtree` to compare it too)")
        contenders = [("kd-tree", KDTreeIndex), ("grid", GridIndex)]
    print(f"   {'size':>9} {'index':>8} {'build':>12} {'median':>12} {'p95':>12}  same as kd-tree")
    points = query_points(queries, seed=7)
    for size in sizes:
        venues = synthetic_venues(size, seed=3)
        lats = np.array([v.latitude for v in venues])
        lons = np.array([v.longitude for v in venues])
        reference: list[set[int]] = []
        for name, contender in contenders:
            start = time.perf_counter()
            index = contender(lats, lons)
            build = time.perf_counter() - start
            answers = [index.query(p, 16) for p in points]
            times = _time_each([partial(index.query, p, 16) for p in points])
            if name == "kd-tree":
                reference = [set(a.tolist()) for a in answers]
            same = "—" if not reference else _agreement(answers, reference)
            row = f"{size:>9} {name:>8} {_ms(build)} {_us(statistics.median(times))} "
            print(f"   {row}{_us(_p95(times))}  {same}")


def _agreement(answers: list[np.ndarray], reference: list[set[int]]) -> str:
    agree = sum(set(a.tolist()) == r for a, r in zip(answers, reference, strict=True))
    return f"{agree}/{len(reference)}"


# ------------------------------------------------------ the product's numbers


def _index_times(index: VenueIndex, points: Sequence[Point], at: datetime) -> list[float]:
    search = partial(index.nearest, k=5, at=at, open_only=True)
    return _time_each([partial(search, p) for p in points])


def index_against_brute_force(sizes: Sequence[int], queries: int, brute: dict[int, int]) -> None:
    _header("k=5 open now (Saturday 23:40): index vs brute-force geopy scan, same run")
    print(
        f"   {'size':>9} {'index median':>14} {'index p95':>12} {'brute median':>14}"
        f" {'brute p95':>12} {'speedup':>10}  brute queries, same answers"
    )
    points = query_points(queries, seed=11)
    for size in sizes:
        venues = synthetic_venues(size, seed=5)
        index = VenueIndex.build(venues)
        times = _index_times(index, points, SATURDAY_NIGHT)
        sample = points[: brute[size]]
        scan = partial(nearest_brute_force, venues, k=5, at=SATURDAY_NIGHT, open_only=True)
        brute_times, expected = _timed_results([partial(scan, point=p) for p in sample])
        got = [index.nearest(p, 5, at=SATURDAY_NIGHT, open_only=True) for p in sample]
        same = sum(a == b for a, b in zip(got, expected, strict=True))
        speedup = statistics.median(brute_times) / statistics.median(times)
        print(
            f"   {size:>9} {_us(statistics.median(times)):>14} {_us(_p95(times)):>12}"
            f" {_ms(statistics.median(brute_times)):>14} {_ms(_p95(brute_times)):>12}"
            f" {speedup:>9,.0f}×  {len(sample)}, {same}/{len(sample)}"
        )


def index_growth(sizes: Sequence[int], queries: int) -> None:
    _header("index alone, k=5 open now at five instants (Sat 23:40 … Tue 05:00): growth with N")
    print(
        f"   {'size':>9} {'build':>12} {'median':>12} {'p95':>12} {'vs smallest':>12}  log N ratio"
    )
    points = query_points(queries, seed=13)
    first: float | None = None
    for size in sizes:
        venues = synthetic_venues(size, seed=5)
        start = time.perf_counter()
        index = VenueIndex.build(venues)
        build = time.perf_counter() - start
        times: list[float] = []
        for at in INSTANTS:
            index.nearest(points[0], 5, at=at, open_only=True)  # fill the hours cache
            times += _index_times(index, points, at)
        median = statistics.median(times)
        first = first or median
        log_ratio = math.log(size) / math.log(sizes[0])
        print(
            f"   {size:>9} {_ms(build)} {_us(median)} {_us(_p95(times))}"
            f" {median / first:>11.2f}×  {log_ratio:.2f}×"
        )
        del venues, index
        gc.collect()


def hours_cache_effect(size: int, queries: int) -> None:
    _header(f"opening-hours cache, {size:,} venues, k=5 open now")
    venues = synthetic_venues(size, seed=5)
    index = VenueIndex.build(venues)
    points = query_points(queries, seed=17)
    warm = _index_times(index, points, SATURDAY_NIGHT)
    # A new instant every query, a week apart, so each schedule's cached state is stale.
    rng = random.Random(19)
    instants = [SATURDAY_NIGHT + timedelta(days=7 * (i + 1)) for i in range(queries)]
    rng.shuffle(points)
    search = partial(index.nearest, k=5, open_only=True)
    cold = _time_each([partial(search, p, at=at) for p, at in zip(points, instants, strict=True)])
    for label, times in (("same instant (cache warm)", warm), ("new instant each query", cold)):
        print(f"   {label:<28} median {_us(statistics.median(times))}  p95 {_us(_p95(times))}")


def _random_search(rng: random.Random) -> dict[str, object]:
    """Random filters, instants (including ones between the named instants) and bounds."""
    at = rng.choice(INSTANTS) + timedelta(minutes=rng.choice([0, 0, rng.uniform(-600, 600)]))
    search: dict[str, object] = {"k": rng.choice([1, 1, 3, 5, 5, 10, 40]), "at": at}
    search["open_only"] = rng.random() < 0.6
    if rng.random() < 0.4:
        search["kind"] = rng.choice(list(VenueKind))
    if rng.random() < 0.4:
        search["facilities"] = frozenset(rng.sample(FACILITIES, rng.randint(1, 3)))
    if rng.random() < 0.3:
        search["max_distance_m"] = rng.choice([50.0, 300.0, 1000.0, 5000.0])
    return search


def exactness(size: int, queries: int, large: int, large_queries: int) -> None:
    _header("same answers as brute force (ranking, distances, minutes, states)")
    for count, n in ((size, queries), (large, large_queries)):
        venues = synthetic_venues(count, seed=23)
        index = VenueIndex.build(venues)
        rng = random.Random(29)
        points = query_points(n, seed=31)
        start = time.perf_counter()
        mismatches = 0
        for point in points:
            search = _random_search(rng)
            got = index.nearest(point, **search)  # type: ignore[arg-type]
            expected = nearest_brute_force(venues, point, **search)  # type: ignore[arg-type]
            mismatches += got != expected
        elapsed = time.perf_counter() - start
        print(
            f"   {count:>9} venues: {n - mismatches}/{n} random searches identical"
            f"   ({elapsed:.1f} s, random k, filters, instants, max distance)"
        )
        if mismatches:
            raise SystemExit("the index disagrees with brute force")


def rebuild(size: int, rounds: int) -> None:
    _header(f"rebuild from a list of {size:,} Venue objects")
    venues = synthetic_venues(size, seed=37)
    times = _time_each([lambda: VenueIndex.build(venues) for _ in range(rounds)])
    print(f"   median {_ms(statistics.median(times))}   best {_ms(min(times))}   target ≤ 200 ms")


# ------------------------------------------------------------------ memory


def _probe(kind: str, size: int) -> None:
    """Run in a fresh process: report peak RSS after importing, or after indexing."""
    held: list[Venue] = []
    if kind != "baseline":
        if kind == "streamed":  # rows go straight into the index, as from a cursor
            index = VenueIndex.build(stream_synthetic_venues(size, seed=41))
        else:  # the caller keeps its list of Venue objects alive too
            held = synthetic_venues(size, seed=41)
            index = VenueIndex.build(held)
        index.nearest(Point(51.5103, -0.1301), 5, at=SATURDAY_NIGHT, open_only=True)
        gc.collect()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"getrusage": peak_kib / 1024, "VmHWM": _vm_hwm_mib(), "held": len(held)}))


def _vm_hwm_mib() -> float | None:
    """The kernel's per-address-space peak, which (unlike ru_maxrss) starts afresh at exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _probe_in_subprocess(kind: str, size: int) -> dict[str, float | None]:
    command = [sys.executable, __file__, "--probe", kind, "--probe-size", str(size)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def memory(size: int) -> None:
    """Run first: on Linux a child's ru_maxrss starts from its parent's size at exec."""
    _header(f"peak RSS of a fresh process (resource.getrusage; VmHWM beside it), {size:,} venues")
    probes = [
        ("imports only (baseline)", "baseline"),
        ("index built from a stream", "streamed"),
        ("index + the caller's list", "listed"),
    ]
    baseline = 0.0
    for label, kind in probes:
        peak = _probe_in_subprocess(kind, size)
        rss = float(peak["getrusage"] or 0)
        baseline = baseline or rss
        extra = f"+{rss - baseline:6.1f} MiB" if kind != "baseline" else " " * 11
        print(f"   {label:<27} {rss:7.1f} MiB  {extra}  (VmHWM {peak['VmHWM']:.1f} MiB)")
    print("   target: a process holding 100k indexed venues ≤ 150 MB (143 MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about half a minute)")
    parser.add_argument(
        "--probe", choices=["baseline", "streamed", "listed"], help=argparse.SUPPRESS
    )
    parser.add_argument("--probe-size", type=int, default=100_000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        _probe(args.probe, args.probe_size)
        return
    quick = args.quick
    started = time.perf_counter()
    print(f"bench/locate.py{' --quick' if quick else ''}: python {sys.version.split()[0]}")
    memory(100_000)
    compare_spatial_indexes([10_000, 100_000], queries=200 if quick else 1000)
    index_against_brute_force(
        [1_000, 10_000, 100_000],
        queries=300 if quick else 2000,
        brute={1_000: 5 if quick else 30, 10_000: 2 if quick else 8, 100_000: 1 if quick else 3},
    )
    index_growth([1_000, 10_000, 100_000] + ([] if quick else [1_000_000]), 200 if quick else 1000)
    hours_cache_effect(100_000, 300 if quick else 1000)
    exactness(2_000, 100 if quick else 1000, 100_000, 1 if quick else 3)
    rebuild(100_000, 3 if quick else 5)
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
