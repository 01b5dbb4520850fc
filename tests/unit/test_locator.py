"""Nearest, open now: the index answers exactly what measuring every venue answers."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from geopy.distance import geodesic

from venues.geo import unit_vectors
from venues.hours import ClosedReason, HoursError, OpenState, open_state
from venues.locator import NearbyVenue, VenueIndex, nearest_brute_force
from venues.model import Facility, Point, Venue, VenueKind, VenueStatus

LONDON = ZoneInfo("Europe/London")
SATURDAY_2340 = datetime(2026, 5, 16, 23, 40, tzinfo=LONDON)
TUESDAY_2340 = datetime(2026, 5, 19, 23, 40, tzinfo=LONDON)
NEXT_FRIDAY_2200 = datetime(2026, 5, 22, 22, 0, tzinfo=LONDON)
LEICESTER_SQUARE = Point(51.51030, -0.13010)
SAFE_HAVEN_HOURS = "Fr,Sa 22:00-04:00"
HOURS_MIX = [
    SAFE_HAVEN_HOURS,
    "Th-Sa 21:00-03:00",
    "24/7",
    "Mo-Th 17:00-23:30; Fr,Sa 17:00-02:00; Su 12:00-22:30",
    "Mo-Sa 11:00-23:00; Su 12:00-22:30",
    "Mo-Fr 09:00-17:30",
    "Tu 10:00-11:00",
    "off",
    "these are not opening hours",
]


def make_venue(
    venue_id: int,
    point: Point,
    *,
    hours: str = "24/7",
    kind: VenueKind = VenueKind.ACCREDITED,
    facilities: frozenset[Facility] = frozenset(),
    status: VenueStatus = VenueStatus.ACTIVE,
    closed_until: datetime | None = None,
) -> Venue:
    return Venue(
        id=venue_id,
        name=f"Venue {venue_id}",
        kind=kind,
        address=f"{venue_id} Charing Cross Road, London",
        postcode="WC2H 0HA",
        latitude=point.latitude,
        longitude=point.longitude,
        opening_hours=hours,
        phone="020 7946 0000",
        schemes=("Safe Haven",),
        facilities=facilities,
        status=status,
        closed_until=closed_until,
    )


def offset(point: Point, north_m: float, east_m: float = 0.0) -> Point:
    """A point roughly this many metres north and east (distances are measured exactly)."""
    latitude = point.latitude + north_m / 111_200
    longitude = point.longitude + east_m / (111_200 * math.cos(math.radians(point.latitude)))
    return Point(latitude, longitude)


def ids(results: list[NearbyVenue]) -> list[int]:
    return [result.venue.id for result in results]


# ------------------------------------------------------------ random check


def random_venues(count: int, seed: int) -> list[Venue]:
    """Greater London venues; some share a spot, some are not public, some closed for now."""
    rng = random.Random(seed)
    venues: list[Venue] = []
    for venue_id in rng.sample(range(1, 20 * count), count):  # ids unrelated to place
        if venues and rng.random() < 0.05:
            point = venues[rng.randrange(len(venues))].point  # same building: a distance tie
        elif rng.random() < 0.4:
            point = Point(rng.gauss(51.5103, 0.01), rng.gauss(-0.1301, 0.016))
        else:
            point = Point(rng.uniform(51.28, 51.70), rng.uniform(-0.51, 0.34))
        closed_until = None
        if rng.random() < 0.05:
            closed_until = SATURDAY_2340 + timedelta(hours=rng.uniform(-30, 100))
        statuses = [VenueStatus.ACTIVE] * 17 + [
            VenueStatus.PENDING,
            VenueStatus.SUSPENDED,
            VenueStatus.REJECTED,
        ]
        venues.append(
            make_venue(
                venue_id,
                point,
                hours=rng.choice(HOURS_MIX),
                kind=rng.choice([VenueKind.SAFE_HAVEN, VenueKind.ACCREDITED]),
                facilities=frozenset(f for f in Facility if rng.random() < 0.5),
                status=rng.choice(statuses),
                closed_until=closed_until,
            )
        )
    return venues


def random_search(rng: random.Random) -> dict:
    """k, instant (anywhere in a week, in any order), filters and bound, at random."""
    search: dict = {
        "k": rng.choice([1, 1, 2, 3, 5, 5, 8, 40]),
        "at": SATURDAY_2340 + timedelta(minutes=rng.uniform(-5000, 5000)),
        "open_only": rng.random() < 0.6,
    }
    if rng.random() < 0.4:
        search["kind"] = rng.choice(list(VenueKind))
    if rng.random() < 0.4:
        search["facilities"] = frozenset(rng.sample(list(Facility), rng.randint(1, 3)))
    if rng.random() < 0.3:
        search["max_distance_m"] = rng.choice([100.0, 500.0, 2000.0, 20_000.0])
    return search


def state_of(venue: Venue, at: datetime) -> OpenState:
    try:
        return open_state(venue.opening_hours, at, "Europe/London", venue.closed_until)
    except HoursError:  # a bad row is never shown as open
        return OpenState(is_open=False, reason=ClosedReason.NO_HOURS)


def expected_answer(
    venues: list[Venue], distances: dict[int, float], search: dict
) -> list[tuple[int, float, int, OpenState]]:
    """What measuring every venue gives: (id, metres, walking minutes, state), nearest first."""
    wanted = search.get("facilities", frozenset())
    limit = search.get("max_distance_m", math.inf)
    matching = sorted(
        (distances[venue.id], venue.id, venue)
        for venue in venues
        if venue.status is VenueStatus.ACTIVE
        and search.get("kind", venue.kind) == venue.kind
        and wanted <= venue.facilities
        and distances[venue.id] <= limit
    )
    answer = []
    for distance, venue_id, venue in matching:
        state = state_of(venue, search["at"])
        if search["open_only"] and not state.is_open:
            continue
        answer.append((venue_id, distance, max(1, math.ceil(distance / 80 - 1e-9)), state))
        if len(answer) == search["k"]:
            break
    return answer


def test_index_matches_measuring_every_venue_on_random_searches() -> None:
    venues = random_venues(1500, seed=1)
    by_id = {venue.id: venue for venue in venues}
    index = VenueIndex.build(venues)
    rng = random.Random(2)
    points = [Point(rng.uniform(51.28, 51.70), rng.uniform(-0.51, 0.34)) for _ in range(13)]
    points += [venues[0].point, Point(51.5103, -0.1301), Point(55.9533, -3.1883)]  # Edinburgh
    checked = 0
    for point in points:
        origin = (point.latitude, point.longitude)
        distances = {v.id: geodesic(origin, (v.latitude, v.longitude)).m for v in venues}
        for _ in range(20):
            search = random_search(rng)
            got = index.nearest(point, **search)
            expected = expected_answer(venues, distances, search)
            assert [
                (r.venue.id, r.distance_m, r.walking_minutes, r.state) for r in got
            ] == expected, search
            assert [r.venue for r in got] == [by_id[venue_id] for venue_id, *_ in expected]
            checked += 1
    assert checked == 320


def test_nearest_page_says_whether_more_match_on_random_searches() -> None:
    venues = random_venues(500, seed=5)
    index = VenueIndex.build(venues)
    rng = random.Random(6)
    answers = set()
    for _ in range(80):
        point = Point(rng.uniform(51.4, 51.6), rng.uniform(-0.3, 0.1))
        search = random_search(rng)
        k = search.pop("k")
        page, more = index.nearest_page(point, k, **search)
        one_more = nearest_brute_force(venues, point, k + 1, **search)
        assert page == one_more[:k], search
        assert more == (len(one_more) > k), search
        answers.add(more)
    assert answers == {True, False}


def test_more_is_exact_at_the_edge_of_the_radius() -> None:
    # The radius exactly at the next venue's distance includes it; a hair less does not.
    venues = random_venues(500, seed=7)
    index = VenueIndex.build(venues)
    rng = random.Random(8)
    for _ in range(40):
        point = Point(rng.uniform(51.4, 51.6), rng.uniform(-0.3, 0.1))
        k = rng.randint(1, 6)
        nearest = nearest_brute_force(venues, point, k + 1)
        edge = nearest[k].distance_m
        if nearest[k - 1].distance_m == edge:
            continue  # a tie: no radius tells them apart
        _, inside = index.nearest_page(point, k, max_distance_m=edge)
        _, outside = index.nearest_page(point, k, max_distance_m=math.nextafter(edge, 0))
        assert (inside, outside) == (True, False)


def test_brute_force_reference_matches_the_index() -> None:
    venues = random_venues(400, seed=3)
    index = VenueIndex.build(venues)
    rng = random.Random(4)
    for _ in range(12):
        point = Point(rng.uniform(51.4, 51.6), rng.uniform(-0.3, 0.1))
        search = random_search(rng)
        assert index.nearest(point, **search) == nearest_brute_force(venues, point, **search)


def test_states_stay_exact_through_the_autumn_clock_change() -> None:
    """Cached opening states are reused only where open_state would answer the same."""
    hours = [
        "Sa 23:00-01:30",
        "Su 01:00-01:45",
        "Su 00:30-01:10,01:20-02:00",
        SAFE_HAVEN_HOURS,
        "Mo-Su 08:00-01:15",
        "24/7",
        "off",
    ]
    venues = [
        make_venue(i + 1, offset(LEICESTER_SQUARE, 50 * i), hours=text)
        for i, text in enumerate(hours)
    ]
    index = VenueIndex.build(venues)
    # Clocks go back at 02:00 BST on 25 October 2026; step through it in UTC.
    start = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
    for step in range(0, 12 * 60, 5):
        at = start + timedelta(minutes=step)
        got = index.nearest(LEICESTER_SQUARE, len(venues), at=at)
        assert got == nearest_brute_force(venues, LEICESTER_SQUARE, len(venues), at=at), at


def test_states_stay_exact_across_a_week_in_any_order() -> None:
    venues = [
        make_venue(i + 1, offset(LEICESTER_SQUARE, 40 * i, 30 * i), hours=text)
        for i, text in enumerate(HOURS_MIX)
    ]
    venues.append(
        make_venue(
            99, offset(LEICESTER_SQUARE, -60), closed_until=SATURDAY_2340 + timedelta(hours=3)
        )
    )
    index = VenueIndex.build(venues)
    instants = [SATURDAY_2340 + timedelta(minutes=20 * step) for step in range(-250, 250)]
    random.Random(5).shuffle(instants)
    for at in instants[:250] + sorted(instants[250:]):
        expected = nearest_brute_force(venues, LEICESTER_SQUARE, len(venues), at=at)
        assert index.nearest(LEICESTER_SQUARE, len(venues), at=at) == expected, at


# ------------------------------------------------------------ what a person sees


def test_nearest_ranks_by_distance_and_breaks_ties_by_lower_id() -> None:
    same_spot = offset(LEICESTER_SQUARE, 120)
    venues = [
        make_venue(7, same_spot),
        make_venue(3, same_spot),
        make_venue(5, same_spot),
        make_venue(9, offset(LEICESTER_SQUARE, 60)),
        make_venue(1, offset(LEICESTER_SQUARE, 300)),
    ]
    results = VenueIndex.build(venues).nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340)
    assert ids(results) == [9, 3, 5, 7, 1]
    assert results[1].distance_m == results[2].distance_m == results[3].distance_m


def test_ranking_follows_the_ellipsoid_not_the_sphere() -> None:
    """At London's latitude a metre east spans less angle than a metre north, so the
    order of chords between unit vectors can differ from the order of geodesics."""
    origin = (LEICESTER_SQUARE.latitude, LEICESTER_SQUARE.longitude)
    north = geodesic(meters=1000).destination(origin, bearing=0)
    east = geodesic(meters=1002).destination(origin, bearing=90)
    venues = [
        make_venue(1, Point(east.latitude, east.longitude)),
        make_venue(2, Point(north.latitude, north.longitude)),
    ]
    vectors = unit_vectors(
        np.array([LEICESTER_SQUARE.latitude, east.latitude, north.latitude]),
        np.array([LEICESTER_SQUARE.longitude, east.longitude, north.longitude]),
    )
    chord_east, chord_north = np.linalg.norm(vectors[1:] - vectors[0], axis=1)
    assert chord_east < chord_north  # the sphere would rank the east venue first

    results = VenueIndex.build(venues).nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)
    assert ids(results) == [2]
    assert results[0].distance_m == pytest.approx(1000, abs=1e-6)


def test_many_venues_at_one_spot_are_each_considered_once() -> None:
    """Searches that widen past a crowd of equal distances neither skip nor repeat venues."""
    spot = offset(LEICESTER_SQUARE, 200)
    crowd = [make_venue(i, spot, hours="off") for i in range(1, 121)]
    crowd[-1] = make_venue(120, spot, hours="24/7")
    further = [make_venue(500 + i, offset(LEICESTER_SQUARE, 400 + i)) for i in range(30)]
    index = VenueIndex.build(crowd + further)
    assert ids(index.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340, open_only=True)) == [120]
    everything = index.nearest(LEICESTER_SQUARE, 200, at=SATURDAY_2340)
    assert ids(everything) == list(range(1, 121)) + [500 + i for i in range(30)]


def test_safe_havens_open_on_saturday_night_and_not_on_tuesday() -> None:
    venues = [
        make_venue(
            1, offset(LEICESTER_SQUARE, 100), hours=SAFE_HAVEN_HOURS, kind=VenueKind.SAFE_HAVEN
        ),
        make_venue(2, offset(LEICESTER_SQUARE, 400), hours="24/7"),
    ]
    index = VenueIndex.build(venues)

    saturday = index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340, open_only=True)
    assert ids(saturday) == [1, 2]
    assert saturday[0].state == OpenState(
        is_open=True, open_until=datetime(2026, 5, 17, 4, 0, tzinfo=LONDON)
    )

    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=TUESDAY_2340, open_only=True)) == [2]
    tuesday = index.nearest(LEICESTER_SQUARE, 5, at=TUESDAY_2340)
    assert ids(tuesday) == [1, 2]
    assert tuesday[0].state.is_open is False
    assert tuesday[0].state.reason is ClosedReason.OUTSIDE_HOURS
    assert tuesday[0].state.opens_next == NEXT_FRIDAY_2200


def test_a_temporarily_closed_venue_is_not_open_until_it_reopens() -> None:
    reopens = datetime(2026, 5, 17, 2, 0, tzinfo=LONDON)
    venues = [
        make_venue(1, offset(LEICESTER_SQUARE, 100), hours=SAFE_HAVEN_HOURS, closed_until=reopens),
        make_venue(2, offset(LEICESTER_SQUARE, 900)),
    ]
    index = VenueIndex.build(venues)

    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340, open_only=True)) == [2]
    closed = index.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)[0]
    assert closed.state.reason is ClosedReason.TEMPORARILY_CLOSED
    assert closed.state.opens_next == reopens

    later = datetime(2026, 5, 17, 2, 30, tzinfo=LONDON)
    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=later, open_only=True)) == [1, 2]


def test_kind_and_every_required_facility_filter_the_results() -> None:
    both = frozenset({Facility.TOILETS, Facility.FIRST_AID})
    venues = [
        make_venue(1, offset(LEICESTER_SQUARE, 50), kind=VenueKind.ACCREDITED, facilities=both),
        make_venue(2, offset(LEICESTER_SQUARE, 100), kind=VenueKind.SAFE_HAVEN, facilities=both),
        make_venue(
            3,
            offset(LEICESTER_SQUARE, 150),
            kind=VenueKind.SAFE_HAVEN,
            facilities=frozenset({Facility.TOILETS}),
        ),
        make_venue(4, offset(LEICESTER_SQUARE, 200), kind=VenueKind.SAFE_HAVEN),
    ]
    index = VenueIndex.build(venues)
    at = SATURDAY_2340

    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=at, kind=VenueKind.SAFE_HAVEN)) == [2, 3, 4]
    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=at, facilities=[Facility.TOILETS])) == [
        1,
        2,
        3,
    ]
    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=at, facilities=both)) == [1, 2]
    safe_with_both = index.nearest(
        LEICESTER_SQUARE, 5, at=at, kind=VenueKind.SAFE_HAVEN, facilities=both
    )
    assert ids(safe_with_both) == [2]
    assert index.nearest(LEICESTER_SQUARE, 5, at=at, facilities=[Facility.CCTV]) == []


def test_max_distance_keeps_only_venues_within_it() -> None:
    venues = [
        make_venue(1, offset(LEICESTER_SQUARE, 100)),
        make_venue(2, offset(LEICESTER_SQUARE, 0, 500)),
        make_venue(3, offset(LEICESTER_SQUARE, -2000)),
    ]
    index = VenueIndex.build(venues)
    within = index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340, max_distance_m=600)
    assert ids(within) == [1, 2]
    assert all(result.distance_m <= 600 for result in within)
    exactly = index.nearest(
        LEICESTER_SQUARE, 5, at=SATURDAY_2340, max_distance_m=within[1].distance_m
    )
    assert ids(exactly) == [1, 2]  # the bound itself is within
    assert index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340, max_distance_m=50) == []


def test_k_larger_than_the_matches_returns_every_match_nearest_first() -> None:
    venues = [make_venue(i, offset(LEICESTER_SQUARE, 100 * (4 - i))) for i in range(1, 4)]
    results = VenueIndex.build(venues).nearest(LEICESTER_SQUARE, 50, at=SATURDAY_2340)
    assert ids(results) == [3, 2, 1]
    distances = [result.distance_m for result in results]
    assert distances == sorted(distances)


def test_nearest_open_place_is_found_however_far() -> None:
    paris = Point(48.8566, 2.3522)
    venues = [make_venue(i, offset(LEICESTER_SQUARE, 30 * i), hours="off") for i in range(1, 300)]
    venues.append(make_venue(1000, paris, hours="24/7"))
    results = VenueIndex.build(venues).nearest(
        LEICESTER_SQUARE, 1, at=SATURDAY_2340, open_only=True
    )
    assert ids(results) == [1000]
    assert 330_000 < results[0].distance_m < 350_000


def test_an_empty_index_finds_nothing() -> None:
    index = VenueIndex.build([])
    assert len(index) == 0
    assert index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340, open_only=True) == []
    assert index.get(1) is None


def test_venues_that_are_not_active_are_never_returned() -> None:
    venues = [
        make_venue(1, offset(LEICESTER_SQUARE, 10), status=VenueStatus.PENDING),
        make_venue(2, offset(LEICESTER_SQUARE, 20), status=VenueStatus.SUSPENDED),
        make_venue(3, offset(LEICESTER_SQUARE, 30), status=VenueStatus.REJECTED),
        make_venue(4, offset(LEICESTER_SQUARE, 900)),
    ]
    index = VenueIndex.build(venues)
    assert len(index) == 1
    assert ids(index.nearest(LEICESTER_SQUARE, 5, at=SATURDAY_2340)) == [4]
    assert [index.get(venue_id) for venue_id in (1, 2, 3)] == [None, None, None]
    assert index.get(4) == venues[3]


def test_walking_minutes_use_the_stated_speed() -> None:
    venue = make_venue(1, offset(LEICESTER_SQUARE, 1000))
    default = VenueIndex.build([venue]).nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)[0]
    assert default.walking_minutes == math.ceil(default.distance_m / 80)  # 4.8 km/h
    brisk = VenueIndex.build([venue], walking_speed_kmh=6.0)
    assert brisk.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)[0].walking_minutes == math.ceil(
        default.distance_m / 100
    )


def test_distance_is_geopys_geodesic() -> None:
    piccadilly_circus = Point(51.50998, -0.13448)
    index = VenueIndex.build([make_venue(1, piccadilly_circus)])
    result = index.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)[0]
    assert 300 < result.distance_m < 400
    assert result.distance_m == geodesic((51.51030, -0.13010), (51.50998, -0.13448)).m


def test_hours_that_do_not_parse_count_as_closed_not_as_an_error() -> None:
    index = VenueIndex.build([make_venue(1, LEICESTER_SQUARE, hours="whenever we like")])
    assert index.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340, open_only=True) == []
    state = index.nearest(LEICESTER_SQUARE, 1, at=SATURDAY_2340)[0].state
    assert state == OpenState(is_open=False, reason=ClosedReason.NO_HOURS)


def test_build_reads_a_stream_and_get_returns_equal_venues() -> None:
    venues = random_venues(50, seed=6)
    index = VenueIndex.build(venue for venue in venues)
    active = [venue for venue in venues if venue.is_public]
    assert len(index) == len(active)
    assert all(index.get(venue.id) == venue for venue in active)
    assert index.get(max(venue.id for venue in venues) + 1) is None


def test_at_defaults_to_now() -> None:
    index = VenueIndex.build([make_venue(1, LEICESTER_SQUARE, hours="24/7")])
    assert index.nearest(LEICESTER_SQUARE, 1, open_only=True)[0].state.is_open


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"k": 0}, "k must be"),
        ({"at": datetime(2026, 5, 16, 23, 40)}, "aware"),
        ({"max_distance_m": -1.0}, "max_distance_m"),
    ],
)
def test_nearest_rejects_bad_arguments(arguments: dict, message: str) -> None:
    index = VenueIndex.build([make_venue(1, LEICESTER_SQUARE)])
    search = {"k": 5, "at": SATURDAY_2340} | arguments
    with pytest.raises(ValueError, match=message):
        index.nearest(LEICESTER_SQUARE, **search)
    with pytest.raises(ValueError, match=message):
        nearest_brute_force([], LEICESTER_SQUARE, **search)


def test_nearest_rejects_impossible_coordinates() -> None:
    index = VenueIndex.build([make_venue(1, LEICESTER_SQUARE)])
    with pytest.raises(ValueError, match="coordinates"):
        index.nearest(Point(95.0, 0.0), at=SATURDAY_2340)


def test_build_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="unique"):
        VenueIndex.build([make_venue(1, LEICESTER_SQUARE), make_venue(1, LEICESTER_SQUARE)])
