"""UK phone numbers are stored one readable way, whatever way they were typed."""

from __future__ import annotations

import pytest

from venues.phones import PhoneError, international_phone, normalise_uk_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("020 7946 0000", "020 7946 0000"),
        ("02079460000", "020 7946 0000"),
        ("+44 20 7946 0000", "020 7946 0000"),
        ("+44 (0)20 7946 0000", "020 7946 0000"),
        ("0044 20 7946 0000", "020 7946 0000"),
        ("(020) 7946-0000", "020 7946 0000"),
        ("07700 900123", "07700 900123"),
        ("+447700900123", "07700 900123"),
        ("0161 496 0000", "0161 496 0000"),
        ("01632 960000", "01632 960000"),
        ("0300 123 4567", "0300 123 4567"),
        ("0800 123 4567", "0800 123 4567"),
        ("0800 123456", "0800 123456"),
    ],
)
def test_normalise_uk_phone_writes_one_readable_form(typed: str, stored: str) -> None:
    assert normalise_uk_phone(typed) == stored


def test_normalise_uk_phone_is_stable_on_its_own_output() -> None:
    stored = normalise_uk_phone("+44 20 7946 0000")
    assert normalise_uk_phone(stored) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "999",
        "",
        "phone us",
        "+33 1 23 45 67 89",
        "020 7946 000",
        "07700 9001234",
        "0400 123 4567",
        "020 7946 0000 ext 12",
    ],
)
def test_normalise_uk_phone_refuses_what_is_not_a_uk_number(typed: str) -> None:
    with pytest.raises(PhoneError) as raised:
        normalise_uk_phone(typed)
    expected = f"{typed.strip()!r} is not a UK phone number (like 020 7946 0000 or 07700 900123)"
    assert str(raised.value) == expected


def test_normalise_uk_phone_error_is_a_value_error_with_a_short_quote() -> None:
    with pytest.raises(ValueError, match=r"^'1{39}…' is not a UK phone number"):
        normalise_uk_phone("1" * 5000)


def test_international_phone_gives_the_dialling_form() -> None:
    assert international_phone("020 7946 0000") == "+442079460000"
    assert international_phone("07700 900123") == "+447700900123"
