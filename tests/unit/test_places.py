"""Typed places: what a person types → a place, a short list, not found, or why not."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from venues.places import (
    MAX_CANDIDATES,
    Ambiguous,
    CoordinateProblem,
    Found,
    Gazetteer,
    GazetteerError,
    InvalidCoordinates,
    NotFound,
    NotFoundReason,
    PlaceKind,
    load_gazetteer,
    read_gazetteer,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(DATA_DIR)


def found(result: object) -> Found:
    assert isinstance(result, Found), f"expected one place, got {result!r}"
    return result


def candidate_names(result: object) -> list[str]:
    assert isinstance(result, Ambiguous), f"expected a choice, got {result!r}"
    return [candidate.name for candidate in result.candidates]


# --- names, typos, abbreviations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lester sqare", "Leicester Square"),
        ("picadilly circus", "Piccadilly Circus"),
        ("oxfrd circs", "Oxford Circus"),
        ("shaftsbury ave", "Shaftesbury Avenue"),
        ("covent gdn", "Covent Garden"),
        ("soho sqaure", "Soho Square"),
        ("lester", "Leicester Square"),
    ],
)
def test_lookup_finds_places_despite_typos(gazetteer: Gazetteer, typed: str, expected: str) -> None:
    assert found(gazetteer.lookup(typed)).name == expected


def test_lookup_finds_tottenham_court_road_abbreviated_and_misspelt(gazetteer: Gazetteer) -> None:
    for typed in ("tottenham crt rd", "Tottenham Ct Rd", "TCR", "tottenham court road"):
        place = found(gazetteer.lookup(typed))
        assert place.name.startswith("Tottenham Court Road"), typed
        assert place.kind in (PlaceKind.STREET, PlaceKind.STATION)


@pytest.mark.parametrize(
    "typed",
    [
        "LEICESTER SQUARE",
        "leicester square!!!",
        "  Leicester   Square. ",
        "leicester-square",
        "Leicester Sq",
    ],
)
def test_lookup_ignores_case_punctuation_and_spacing(gazetteer: Gazetteer, typed: str) -> None:
    place = found(gazetteer.lookup(typed))
    assert place.name == "Leicester Square"
    assert place.kind is PlaceKind.SQUARE


@pytest.mark.parametrize(
    "typed",
    [
        "oxford circus station",
        "Oxford Circus tube",
        "oxford circus stn",
        "oxford circus tube station",
    ],
)
def test_lookup_with_station_or_tube_gives_the_station(gazetteer: Gazetteer, typed: str) -> None:
    place = found(gazetteer.lookup(typed))
    assert place.name == "Oxford Circus station"
    assert place.kind is PlaceKind.STATION


def test_lookup_saying_station_settles_an_ambiguous_name(gazetteer: Gazetteer) -> None:
    assert isinstance(gazetteer.lookup("victoria"), Ambiguous)
    place = found(gazetteer.lookup("Victoria station"))
    assert (place.name, place.kind) == ("Victoria station", PlaceKind.STATION)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dean st", "Dean Street"),
        ("Dean St.", "Dean Street"),
        ("kings cross", "King's Cross"),
        ("King's Cross", "King's Cross"),
        ("st james's park", "St James's Park"),
        ("saint james's park", "St James's Park"),
        ("the ritz", "The Ritz"),
        ("fortnum and mason", "Fortnum & Mason"),
        ("Fortnum & Mason", "Fortnum & Mason"),
        ("Noël Coward Theatre", "Noel Coward Theatre"),
        ("I'm at Soho please", "Soho"),
        ("near trafalgar sq", "Trafalgar Square"),
    ],
)
def test_lookup_understands_abbreviations_apostrophes_and_fillers(
    gazetteer: Gazetteer, typed: str, expected: str
) -> None:
    assert found(gazetteer.lookup(typed)).name == expected


@pytest.mark.parametrize("typed", ["soho", "leicester square", "covent garden", "holborn"])
def test_lookup_gives_one_place_when_the_matches_are_side_by_side(
    gazetteer: Gazetteer, typed: str
) -> None:
    # A square and its station, an area and its streets: one answer, not a question.
    place = found(gazetteer.lookup(typed))
    assert place.kind in (PlaceKind.AREA, PlaceKind.SQUARE)


def test_lookup_answers_with_a_point_and_a_zone(gazetteer: Gazetteer) -> None:
    place = found(gazetteer.lookup("Leicester Square"))
    assert place.point.latitude == pytest.approx(51.510, abs=0.002)
    assert place.point.longitude == pytest.approx(-0.130, abs=0.002)
    assert place.zone == "leicester_square"
    assert place.approximate is False


# --- ambiguity --------------------------------------------------------------------------------


def test_lookup_victoria_offers_the_station_the_area_the_street_and_the_theatre(
    gazetteer: Gazetteer,
) -> None:
    names = candidate_names(gazetteer.lookup("victoria"))
    assert len(names) <= MAX_CANDIDATES
    for expected in ("Victoria", "Victoria station", "Victoria Street", "Apollo Victoria Theatre"):
        assert expected in names


@pytest.mark.parametrize("word", ["street", "square"])
def test_lookup_generic_word_alone_is_ambiguous(gazetteer: Gazetteer, word: str) -> None:
    names = candidate_names(gazetteer.lookup(word))
    assert 2 <= len(names) <= MAX_CANDIDATES
    assert all(word in name.lower() for name in names)


def test_lookup_candidates_can_be_picked_by_name(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("piccadilly")
    assert isinstance(result, Ambiguous)
    for candidate in result.candidates:
        place = gazetteer.get(candidate.name)
        assert place is not None
        assert place.point == candidate.point


def test_lookup_misspelt_ambiguous_name_is_still_ambiguous(gazetteer: Gazetteer) -> None:
    assert candidate_names(gazetteer.lookup("victoira")) == candidate_names(
        gazetteer.lookup("victoria")
    )


# --- postcodes --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["w1d 3qu", "W1D3QU", "W1D 3QU", " w1d  3qu "])
def test_lookup_places_full_postcode_at_its_district(gazetteer: Gazetteer, typed: str) -> None:
    place = found(gazetteer.lookup(typed))
    district = gazetteer.district("W1D")
    assert district is not None
    assert place.name == "W1D 3QU"
    assert place.kind is PlaceKind.POSTCODE
    assert place.point == district.point
    assert place.approximate is True


def test_lookup_finds_postcode_inside_an_address(gazetteer: Gazetteer) -> None:
    place = found(gazetteer.lookup("10 Dean Street, London W1D 3RS"))
    assert (place.name, place.kind) == ("W1D 3RS", PlaceKind.POSTCODE)


@pytest.mark.parametrize("typed", ["WC2H", "wc2h", "sw1a"])
def test_lookup_finds_postcode_district(gazetteer: Gazetteer, typed: str) -> None:
    place = found(gazetteer.lookup(typed))
    assert place.name == typed.upper()
    assert place.kind is PlaceKind.DISTRICT
    assert place.approximate is False


def test_lookup_postcode_outside_the_area_is_not_found(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("M1 1AE") == NotFound(NotFoundReason.UNKNOWN_POSTCODE)


def test_place_postcode_gives_the_district_centre_or_none(gazetteer: Gazetteer) -> None:
    wc2h = gazetteer.district("WC2H")
    assert wc2h is not None
    assert gazetteer.place_postcode("wc2h7na") == wc2h.point
    assert gazetteer.place_postcode("M1 1AE") is None
    assert gazetteer.place_postcode("not a postcode") is None
    assert gazetteer.place_postcode("") is None


# --- coordinates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "51.5101, -0.1340",
        "51.5101 -0.1340",
        "51.5101,-0.1340",
        "51.5101;-0.1340",
        "51.5101° N, 0.1340° W",
    ],
)
def test_lookup_reads_coordinates(gazetteer: Gazetteer, typed: str) -> None:
    place = found(gazetteer.lookup(typed))
    assert place.kind is PlaceKind.COORDINATES
    assert place.point.latitude == pytest.approx(51.5101)
    assert place.point.longitude == pytest.approx(-0.1340)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("91, 0", CoordinateProblem.LATITUDE_RANGE),
        ("-90.5 0", CoordinateProblem.LATITUDE_RANGE),
        ("51.5, 181", CoordinateProblem.LONGITUDE_RANGE),
        ("51.5 -180.01", CoordinateProblem.LONGITUDE_RANGE),
        ("nan, 0", CoordinateProblem.NOT_NUMBERS),
        ("51.5, inf", CoordinateProblem.NOT_NUMBERS),
        ("-inf -0.13", CoordinateProblem.NOT_NUMBERS),
    ],
)
def test_lookup_rejects_impossible_coordinates_with_a_reason(
    gazetteer: Gazetteer, typed: str, reason: CoordinateProblem
) -> None:
    assert gazetteer.lookup(typed) == InvalidCoordinates(reason)


# --- garbage ----------------------------------------------------------------------------------

GARBAGE = [
    "asdfghjkl",
    "qwerty uiop",
    "!!!???...",
    "💃🕺🍸",
    "مرحبا بالعالم",
    "\u202eerauqs retsecriel\u202c",
    "שלום עולם",
    "\x00\x01\x02",
    "lorem ipsum dolor sit amet",
    "the",
    "999",
]


@pytest.mark.parametrize("typed", GARBAGE)
def test_lookup_garbage_is_not_found(gazetteer: Gazetteer, typed: str) -> None:
    assert isinstance(gazetteer.lookup(typed), NotFound)


@pytest.mark.parametrize("typed", ["", "   ", "\n\t", "💃", "..."])
def test_lookup_nothing_to_look_up_is_empty(gazetteer: Gazetteer, typed: str) -> None:
    assert gazetteer.lookup(typed) == NotFound(NotFoundReason.EMPTY)


def test_lookup_huge_text_is_too_long_and_quick(gazetteer: Gazetteer) -> None:
    huge = ["x" * 4096, "Leicester Square " * 250, "ש" * 4096, "💃" * 4096]
    started = time.perf_counter()
    results = [gazetteer.lookup(text) for text in huge * 25]
    elapsed = time.perf_counter() - started
    assert set(results) == {NotFound(NotFoundReason.TOO_LONG)}
    assert elapsed < 0.5


def test_lookup_typical_queries_take_under_a_millisecond(gazetteer: Gazetteer) -> None:
    queries = [
        "lester sqare",
        "Leicester Square",
        "tottenham crt rd",
        "victoria",
        "w1d 3qu",
        "51.5101, -0.1340",
        "asdfghjkl",
        "street",
        "oxford circus station",
        "soho",
    ]
    for query in queries:  # the first call of each is no different, but warm anyway
        gazetteer.lookup(query)
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            gazetteer.lookup(query)
    mean_ms = (time.perf_counter() - started) * 1000 / (rounds * len(queries))
    assert mean_ms < 1.0


# --- loading ----------------------------------------------------------------------------------


def test_read_gazetteer_skips_comments_and_reads_aliases() -> None:
    places = read_gazetteer(
        "name,kind,latitude,longitude,aliases,zone\n"
        "# --- squares ---\n"
        "Example Square,square,51.5,-0.1,Ex Sq;The Example,soho\n"
    )
    assert len(places) == 1
    assert places[0].aliases == ("Ex Sq", "The Example")
    assert places[0].zone == "soho"
    assert found(Gazetteer(places).lookup("the example")).name == "Example Square"


@pytest.mark.parametrize(
    "row",
    ["Nowhere,square,north,-0.1,,", "Nowhere,castle,51.5,-0.1,,", ",square,51.5,-0.1,,"],
)
def test_read_gazetteer_names_the_bad_line(row: str) -> None:
    text = "name,kind,latitude,longitude,aliases,zone\n# comment\nGood,square,51.5,-0.1,,\n" + row
    with pytest.raises(GazetteerError, match="line 4"):
        read_gazetteer(text)


def test_lookup_never_raises_on_random_text(gazetteer: Gazetteer) -> None:
    rng = random.Random(2024)
    alphabet = "abcxyz ABC0189.,;:'\"&-°!?/\\()🕺שלוםمرحبا中文\u202e\u200f\x00\t\n"
    names = [place.name for place in gazetteer.places]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500)]
    texts += ["".join(c for c in rng.choice(names) if rng.random() > 0.2) for _ in range(500)]
    results = [gazetteer.lookup(text) for text in texts]
    assert all(isinstance(r, Found | Ambiguous | NotFound | InvalidCoordinates) for r in results)
