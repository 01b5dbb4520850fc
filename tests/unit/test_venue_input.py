"""Reading what venue staff type: each bad answer names the text that explains it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import venue_input
from bot.venue_input import HoursInputError, InputError

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 23, 40, tzinfo=UTC)


def _key(call: object, *args: object) -> str:
    with pytest.raises(InputError) as raised:
        call(*args)  # type: ignore[operator]
    return raised.value.key


def test_venue_name_is_tidied_and_checked() -> None:
    assert venue_input.venue_name("  The   <Crown>\n& Anchor ") == "The <Crown> & Anchor"
    assert _key(venue_input.venue_name, "!!! ???") == "registration.bad.name_empty"
    assert _key(venue_input.venue_name, "   ") == "registration.bad.name_empty"
    assert _key(venue_input.venue_name, "x" * 121) == "registration.bad.name_long"
    assert venue_input.venue_name("x" * 120) == "x" * 120


def test_address_keeps_the_text_and_normalises_its_postcode() -> None:
    assert venue_input.address("10 Soho Square, London w1d3qu") == (
        "10 Soho Square, London W1D 3QU",
        "W1D 3QU",
    )
    assert venue_input.address("Flat 2, 5 Dean Street") == ("Flat 2, 5 Dean Street", None)
    for bad in ("12", "12345 67890", "x" * 201):
        assert _key(venue_input.address, bad) == "registration.bad.address"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/12/2026", date(2026, 12, 31)),
        ("31.12.26", date(2026, 12, 31)),
        ("1-2-2027", date(2027, 2, 1)),
        ("2027-02-01", date(2027, 2, 1)),
        ("28/11/2026", TODAY),  # valid through its last day
    ],
)
def test_expiry_date_reads_day_month_year(typed: str, expected: date) -> None:
    assert venue_input.expiry_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("31/02/2027", "registration.bad.date"),
        ("next year", "registration.bad.date"),
        ("12/2027", "registration.bad.date"),
        ("27/11/2026", "registration.bad.date_past"),
        ("1/1/2037", "registration.bad.date_far"),
    ],
)
def test_expiry_date_refuses_impossible_past_and_far_dates(typed: str, key: str) -> None:
    assert _key(venue_input.expiry_date, typed, TODAY) == key


def test_language_by_name_or_code_else_as_typed() -> None:
    assert venue_input.language("Portuguese") == "pt"
    assert venue_input.language("pt") == "pt"
    assert venue_input.language("welsh") == "Welsh"
    for bad in ("123", "", "<b>", "x" * 31):
        assert _key(venue_input.language, bad) == "registration.bad.language"


def test_phone_is_a_uk_number() -> None:
    assert venue_input.phone("+44 (0)20 7946 0555") == "020 7946 0555"
    assert _key(venue_input.phone, "12345") == "registration.bad.phone"


def test_person_text_needs_letters() -> None:
    assert venue_input.person_text(" Door  supervisor ") == "Door supervisor"
    assert _key(venue_input.person_text, "007") == "registration.bad.person"


@pytest.mark.parametrize(
    ("typed", "keys"),
    [
        ("Fri 22-4", ["hours.problem.day_names", "hours.problem.time_format"]),
        ("Fri-Sat 22:00-04:00", ["hours.problem.day_names"]),
        ("Fr-Sa 22.00-04.00", ["hours.problem.time_format", "hours.problem.at"]),
        ("Fr,Sa 10pm-4am", ["hours.problem.time_format", "hours.problem.at"]),
        ("Fr 25:00-26:00", ["hours.problem.time_range", "hours.problem.at"]),
        ("Mo-Fr 09:00-17:00;", ["hours.problem.trailing"]),
        ("every night", ["hours.problem.words"]),
    ],
)
def test_opening_hours_errors_are_explained_in_plain_words(typed: str, keys: list[str]) -> None:
    with pytest.raises(HoursInputError) as raised:
        venue_input.opening_hours(typed, NOW, "Europe/London")
    assert [key for key, _ in raised.value.advice] == keys


def test_opening_hours_shows_where_it_stops_making_sense() -> None:
    with pytest.raises(HoursInputError) as raised:
        venue_input.opening_hours("Fr,Sa 22:00-04:00; Su 12:00-xx", NOW, "Europe/London")
    assert ("hours.problem.at", {"rest": "xx"}) in raised.value.advice


def test_opening_hours_that_never_open_or_run_long_are_refused() -> None:
    assert _key(venue_input.opening_hours, "off", NOW, "Europe/London") == (
        "registration.bad.hours_never_open"
    )
    assert _key(venue_input.opening_hours, "Mo " * 200, NOW, "Europe/London") == (
        "registration.bad.too_long"
    )
    assert venue_input.opening_hours(" Fr,Sa  22:00-04:00 ", NOW, "Europe/London") == (
        "Fr,Sa 22:00-04:00"
    )
