"""Venue CSV: what an importer accepts, and every error exactly as the user reads it."""

from __future__ import annotations

import csv
import io

import pytest

from venues.csvio import (
    COLUMNS,
    ImportPlan,
    VenueFileError,
    decode_venue_file,
    export_venue_csv,
    parse_venue_csv,
)
from venues.model import BoundingBox, Facility, Point, Venue, VenueKind, VenueStatus
from venues.repository import VenueDraft

GREATER_LONDON = BoundingBox(51.28, -0.51, 51.70, 0.34)
AREA_TEXT = "(latitude 51.28 to 51.7, longitude -0.51 to 0.34)"
HEADER = ["name", "kind", "address", "postcode", "latitude", "longitude", "opening_hours"]
CROWN = ["The Crown", "accredited", "1 High St", "W1D 3QU", "51.5113", "-0.1318",
         "Mo-Su 18:00-02:00"]  # fmt: skip
HAVEN = ["St Anne's", "safe_haven", "55 Dean St", "W1D 6AF", "51.5133", "-0.1325",
         "Fr,Sa 22:00-04:00"]  # fmt: skip
KNOWN_FACILITIES = (
    "cctv, female_staff, first_aid, phone_charging, seating, step_free, toilets, water"
)


class FakeGazetteer:
    """The gazetteer's one method, over a few known postcodes."""

    def __init__(self, points: dict[str, Point]) -> None:
        self._points = points
        self.asked: list[str] = []

    def place_postcode(self, postcode: str) -> Point | None:
        self.asked.append(postcode)
        return self._points.get(postcode)


GAZETTEER = FakeGazetteer({"W1D 3QU": Point(51.5112, -0.1316), "CF10 1AA": Point(51.4816, -3.1791)})


def csv_text(*rows: list[str], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue()


def parse(text: str, gazetteer: FakeGazetteer = GAZETTEER) -> ImportPlan:
    return parse_venue_csv(text, area=GREATER_LONDON, place_postcode=gazetteer.place_postcode)


def errors_of(text: str) -> list[str]:
    with pytest.raises(VenueFileError) as raised:
        parse(text)
    return raised.value.lines()


def drafts(plan: ImportPlan) -> list[VenueDraft]:
    return [venue.upsert.draft for venue in plan.venues]


def with_cell(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[HEADER.index(column)] = value
    return changed


def without_coordinates(row: list[str]) -> list[str]:
    return with_cell(with_cell(row, "latitude", ""), "longitude", "")


# --- valid files -------------------------------------------------------------------


def test_parse_venue_csv_reads_the_spec_columns() -> None:
    plan = parse(csv_text(CROWN, HAVEN))
    assert [(venue.row, venue.upsert.venue_id) for venue in plan.venues] == [(2, None), (3, None)]
    assert drafts(plan)[0] == VenueDraft(
        name="The Crown",
        kind=VenueKind.ACCREDITED,
        address="1 High St",
        postcode="W1D 3QU",
        latitude=51.5113,
        longitude=-0.1318,
        opening_hours="Mo-Su 18:00-02:00",
    )


def test_parse_venue_csv_normalises_what_people_type() -> None:
    header = [*HEADER, "phone", "schemes", "facilities", "languages", "status"]
    row = ["  The   Crown ", "Accredited", "1 High St\n Soho", "w1d3qu", " 51.5113 ", "-0.1318",
           " Mo-Su 18:00-02:00 ", "+44 20 7946 0000", "Ask for Angela; WNSC;;Ask for Angela",
           "CCTV;toilets", "English; Polish", "Suspended"]  # fmt: skip
    (draft,) = drafts(parse(csv_text(row, header=header)))
    assert draft == VenueDraft(
        name="The Crown",
        kind=VenueKind.ACCREDITED,
        address="1 High St, Soho",
        postcode="W1D 3QU",
        latitude=51.5113,
        longitude=-0.1318,
        opening_hours="Mo-Su 18:00-02:00",
        phone="020 7946 0000",
        schemes=("Ask for Angela", "WNSC"),
        facilities=frozenset({Facility.CCTV, Facility.TOILETS}),
        languages=("English", "Polish"),
        status=VenueStatus.SUSPENDED,
    )


def test_parse_venue_csv_accepts_a_bom_extra_columns_any_order_and_blank_rows() -> None:
    header = ["Notes", "OPENING_HOURS", *reversed(HEADER[:-1])]
    crown = ["ring the bell", CROWN[-1], *reversed(CROWN[:-1])]
    text = "\ufeff" + csv_text(crown, ["", "", "", "", "", "", "", ""], header=header)
    (draft,) = drafts(parse(text))
    assert (draft.name, draft.opening_hours, draft.latitude) == ("The Crown", CROWN[-1], 51.5113)


def test_parse_venue_csv_places_a_postcode_when_coordinates_are_blank() -> None:
    gazetteer = FakeGazetteer({"W1D 3QU": Point(51.5112, -0.1316)})
    row = without_coordinates(CROWN)
    draft, _haven = drafts(parse(csv_text(row, HAVEN), gazetteer))
    assert (draft.latitude, draft.longitude) == (51.5112, -0.1316)
    assert gazetteer.asked == ["W1D 3QU"]  # rows with coordinates are not looked up


def test_parse_venue_csv_reads_the_id_and_a_name_of_exactly_120_characters() -> None:
    row = ["7", "N" * 120, *CROWN[1:]]
    plan = parse(csv_text(row, header=["id", *HEADER]))
    assert (plan.venues[0].upsert.venue_id, len(drafts(plan)[0].name)) == (7, 120)


# --- every error, as the user reads it ---------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        (
            "latitude",
            "north",
            "latitude: must be a number in decimal degrees, like 51.5136 (got 'north')",
        ),
        (
            "longitude",
            "NaN",
            "longitude: must be a number in decimal degrees, like -0.1318 (got 'NaN')",
        ),
        (
            "longitude",
            "0,13",
            "longitude: must be a number in decimal degrees, like -0.1318 (got '0,13')",
        ),
        ("latitude", "95.5", "latitude: must be between -90 and 90 (got 95.5)"),
        ("longitude", "-181", "longitude: must be between -180 and 180 (got -181)"),
        (
            "latitude",
            "48.8566",
            "latitude/longitude: 48.8566, -0.1325 is outside the area this register covers "
            + AREA_TEXT,
        ),
        (
            "opening_hours",
            "Mo-Fx 10:00",
            "opening_hours: Failed to parse expression:  --> 1:4 | 1 | Mo-Fx 10:00 |    ^--- "
            "| = expected wday",
        ),
        ("opening_hours", " ", "opening_hours: is required"),
        ("kind", "pub", "kind: must be safe_haven or accredited (got 'pub')"),
        ("name", "", "name: is required"),
        ("name", "N" * 121, "name: is longer than 120 characters (121)"),
        ("address", "  ", "address: is required"),
        ("postcode", "W1D 3Q", "postcode: 'W1D 3Q' is not a UK postcode (like W1D 3QU)"),
    ],
)
def test_parse_venue_csv_reports_a_bad_cell(column: str, value: str, error: str) -> None:
    assert errors_of(csv_text(CROWN, with_cell(HAVEN, column, value))) == [f"row 3: {error}"]


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        (
            "phone",
            "12345",
            "phone: '12345' is not a UK phone number (like 020 7946 0000 or 07700 900123)",
        ),
        (
            "facilities",
            "toilets;wifi",
            f"facilities: unknown facility 'wifi' (known: {KNOWN_FACILITIES})",
        ),
        (
            "status",
            "closed",
            "status: must be pending, active, suspended or rejected (got 'closed')",
        ),
        ("id", "seven", "id: must be a whole number from 1 (got 'seven')"),
        ("id", "0", "id: must be a whole number from 1 (got '0')"),
    ],
)
def test_parse_venue_csv_reports_a_bad_optional_cell(column: str, value: str, error: str) -> None:
    text = csv_text([*HAVEN, value], header=[*HEADER, column])
    assert errors_of(text) == [f"row 2: {error}"]


def test_parse_venue_csv_needs_coordinates_without_a_postcode() -> None:
    row = with_cell(without_coordinates(HAVEN), "postcode", "")
    assert errors_of(csv_text(row)) == [
        "row 2: latitude/longitude: are required when there is no postcode"
    ]


def test_parse_venue_csv_needs_coordinates_when_the_postcode_cannot_be_placed() -> None:
    row = without_coordinates(HAVEN)
    assert errors_of(csv_text(row)) == [
        "row 2: latitude/longitude: are required: postcode W1D 6AF cannot be placed on the map"
    ]


def test_parse_venue_csv_refuses_a_placed_postcode_outside_the_area() -> None:
    row = with_cell(without_coordinates(HAVEN), "postcode", "CF10 1AA")
    assert errors_of(csv_text(row)) == [
        "row 2: postcode: CF10 1AA (51.4816, -3.1791) is outside the area this register covers "
        + AREA_TEXT
    ]


def test_parse_venue_csv_needs_both_coordinates() -> None:
    assert errors_of(
        csv_text(with_cell(CROWN, "longitude", ""), with_cell(HAVEN, "latitude", ""))
    ) == [
        "row 2: longitude: is required with a latitude",
        "row 3: latitude: is required with a longitude",
    ]


def test_parse_venue_csv_reports_repeated_ids() -> None:
    rows = [["4", *CROWN], ["5", *HAVEN], ["4", "Other", *CROWN[1:]]]
    text = csv_text(*rows, header=["id", *HEADER])
    assert errors_of(text) == ["row 4: id: id 4 is already on row 2"]


def test_parse_venue_csv_reports_the_same_venue_twice_by_name_and_postcode() -> None:
    again = with_cell(with_cell(CROWN, "name", "THE CROWN."), "postcode", "w1d 3qu")
    assert errors_of(csv_text(CROWN, HAVEN, again)) == [
        "row 4: name: same venue as row 2 (same name and postcode)"
    ]


def test_parse_venue_csv_collects_every_error_of_every_row_in_order() -> None:
    bad_crown = with_cell(with_cell(CROWN, "kind", "bar"), "latitude", "x")
    bad_haven = with_cell(with_cell(HAVEN, "address", ""), "opening_hours", "whenever")
    # A cell over two lines is still one spreadsheet row.
    multi_line = with_cell(CROWN, "address", "Flat 1\n2 High St")
    lines = errors_of(csv_text(bad_haven, multi_line, [], bad_crown))
    assert lines == [
        "row 2: address: is required",
        "row 2: opening_hours: Failed to parse expression:  --> 1:1 | 1 | whenever | ^--- "
        "| = expected EOI, any_rule_separator, rules_modifier, always_open, "
        "small_range_selectors, week_selector, monthday_range, year, or comment",
        "row 5: kind: must be safe_haven or accredited (got 'bar')",
        "row 5: latitude: must be a number in decimal degrees, like 51.5136 (got 'x')",
    ]


def test_parse_venue_csv_reports_missing_and_repeated_header_columns() -> None:
    text = csv_text(["x", "y", "z"], header=["name", "Name", "postcode"])
    assert errors_of(text) == [
        "row 1: kind: column is missing",
        "row 1: address: column is missing",
        "row 1: opening_hours: column is missing",
        "row 1: name: column appears more than once",
    ]


def test_parse_venue_csv_on_an_empty_file_asks_for_a_header() -> None:
    assert errors_of("") == [f"the file is empty: it needs a header row ({','.join(COLUMNS)})"]


def test_decode_venue_file_accepts_a_bom_and_explains_other_encodings() -> None:
    assert decode_venue_file("\ufeffname,café\n".encode()) == "name,café\n"
    with pytest.raises(VenueFileError) as raised:
        decode_venue_file("name,café\n".encode("cp1252"))
    assert raised.value.lines() == [
        "the file is not UTF-8 text (byte 9 is not): save it as “CSV UTF-8” and try again"
    ]


# --- export ---------------------------------------------------------------------------


def venue(venue_id: int, name: str, **changes: object) -> Venue:
    fields: dict[str, object] = {
        "id": venue_id,
        "name": name,
        "kind": VenueKind.SAFE_HAVEN,
        "address": "1 High St",
        "postcode": "W1D 3QU",
        "latitude": 51.5113,
        "longitude": -0.1318,
        "opening_hours": "Fr,Sa 22:00-04:00",
    }
    return Venue(**(fields | changes))  # type: ignore[arg-type]


def test_export_venue_csv_writes_venues_by_id_in_a_fixed_column_order() -> None:
    venues = [
        venue(9, "Zed", status=VenueStatus.PENDING, languages=("English", "Welsh")),
        venue(2, "Bar, \"Quoted\"", phone="020 7946 0000", schemes=("Ask for Angela", "WNSC"),
              facilities=frozenset({Facility.WATER, Facility.CCTV})),
    ]  # fmt: skip
    assert export_venue_csv(venues).splitlines() == [
        ",".join(COLUMNS),
        '2,"Bar, ""Quoted""",safe_haven,1 High St,W1D 3QU,51.5113,-0.1318,"Fr,Sa 22:00-04:00",'
        "020 7946 0000,Ask for Angela;WNSC,cctv;water,,active",
        '9,Zed,safe_haven,1 High St,W1D 3QU,51.5113,-0.1318,"Fr,Sa 22:00-04:00",,,,'
        "English;Welsh,pending",
    ]


def test_export_venue_csv_keeps_spreadsheets_from_running_names_as_formulas() -> None:
    exported = export_venue_csv([venue(1, '=HYPERLINK("http://x.example")', address="-1 Lane")])
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["name"], row["address"]) == ('\'=HYPERLINK("http://x.example")', "'-1 Lane")
    (draft,) = drafts(parse(exported))
    assert (draft.name, draft.address) == ('=HYPERLINK("http://x.example")', "-1 Lane")


def test_export_venue_csv_parses_back_to_the_same_venues() -> None:
    venues = [
        venue(3, "O'Neill's", kind=VenueKind.ACCREDITED, postcode=None, latitude=51.5,
              longitude=1e-05, opening_hours="24/7", phone="07700 900123",
              schemes=("Best Bar None",), facilities=frozenset(Facility),
              languages=("Polish",), status=VenueStatus.REJECTED),
        venue(4, "'''quoted'''", address="'+44 line"),
    ]  # fmt: skip
    plan = parse(export_venue_csv(venues))
    assert [venue.upsert.venue_id for venue in plan.venues] == [3, 4]
    back = [
        Venue(id=planned.upsert.venue_id or 0, **_fields(planned.upsert.draft))
        for planned in plan.venues
    ]
    assert back == venues


def _fields(draft: VenueDraft) -> dict[str, object]:
    return {
        name: getattr(draft, name)
        for name in VenueDraft.__dataclass_fields__
        if getattr(draft, name) is not None or name in {"postcode", "phone"}
    }
