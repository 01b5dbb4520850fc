"""Button data of the venue chats: short, and parsed strictly (anything forged → None)."""

from __future__ import annotations

import pytest

from bot.render import myvenue, registration, reports, review
from bot.store.reports import Category


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("rg|s|3", ("s", "3")),
        ("rg|ok", ("ok", None)),
        ("rg|e|applicant_name", ("e", "applicant_name")),
        ("vc|s|3", None),  # another chat's prefix
        ("rg|s|3|4", None),
        ("rg|S|3", None),
        ("rg|s|<b>", None),
        ("rg|s|" + "9" * 21, None),
        ("", None),
        (None, None),
    ],
)
def test_registration_buttons_decode_strictly(data: str | None, expected: object) -> None:
    assert registration.decode(data, "rg") == expected


@pytest.mark.parametrize(
    ("data", "action", "expected"),
    [
        ("rv|a|12", "a", 12),
        ("rv|r|12", "r", 12),
        ("rv|r|12", "a", None),
        ("rv|a|012", "a", None),
        ("rv|a|0", "a", None),
        ("rv|a|1234567890", "a", None),
        ("rv|a|12 ", "a", None),
        ("rv|a|-1", "a", None),
    ],
)
def test_review_buttons_decode_strictly(data: str, action: str, expected: int | None) -> None:
    assert review.decode(data, action) == expected


def test_venue_staff_and_report_buttons_decode_strictly() -> None:
    assert myvenue.decode("mv|c|7") == ("c", 7)
    assert myvenue.decode("mv|x|7") is None
    assert myvenue.decode("mv|c|7|8") is None
    assert reports.decode_start("rp|7") == 7
    assert reports.decode_start("rp|07") is None
    assert reports.decode_category("rq|c|unsafe") is Category.UNSAFE
    assert reports.decode_category("rq|c|boring") is None
    assert reports.decode_staff("rs|s|7") == ("s", 7)
    assert reports.decode_staff("rs|z|7") is None


def test_the_longest_button_data_fits_telegrams_64_bytes() -> None:
    longest = [
        registration.data("rg", "e", "applicant_role"),
        review.approve_data(999_999_999),
        myvenue.button_data(myvenue.MOVED, 999_999_999),
        f"{reports.STAFF_PREFIX}|{reports.REINSTATE}|999999999",
        f"{reports.STEP_PREFIX}|c|{Category.UNHELPFUL.value}",
    ]
    assert max(len(data.encode()) for data in longest) <= 64
