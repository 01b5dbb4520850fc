"""UK phone numbers: recognise and write them one way (`+44 20 7946 0000` → `020 7946 0000`)."""

from __future__ import annotations

import re

# Separators people type between digit groups; `(0)` is the trunk prefix some
# write after +44, as in `+44 (0)20 7946 0000`.
_SEPARATORS = re.compile(r"[\s\-.()/]+")
_TRUNK_AFTER_COUNTRY = re.compile(r"^(\+|00)44\s*\(0\)")
_NATIONAL = re.compile(r"^0[1235789][0-9]{8,9}$")  # 0 + 9 or 10 digits
_EXAMPLES = "like 020 7946 0000 or 07700 900123"


class PhoneError(ValueError):
    """Text that is not a UK phone number; the message is fit to show as it is."""


def normalise_uk_phone(text: str) -> str:
    """A UK number in its usual written form, e.g. `020 7946 0000`, `07700 900123`."""
    national = _national_digits(text)
    if not _NATIONAL.match(national) or not _length_fits(national):
        raise PhoneError(f"{_shown(text)} is not a UK phone number ({_EXAMPLES})")
    return _grouped(national)


def international_phone(phone: str) -> str:
    """`020 7946 0000` → `+442079460000`, the form a `tel:` link wants."""
    return "+44" + _national_digits(phone)[1:]


def _national_digits(text: str) -> str:
    compact = _SEPARATORS.sub("", _TRUNK_AFTER_COUNTRY.sub("+44", text.strip()))
    for prefix in ("+44", "0044"):
        if compact.startswith(prefix):
            return "0" + compact.removeprefix(prefix)
    return compact


def _shown(text: str, limit: int = 40) -> str:
    """The text quoted for an error message, cut short if it is long."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _length_fits(national: str) -> bool:
    # Ten digits only survive in a few 01 areas and on 0800/0500 numbers.
    return len(national) == 11 or national[1] in "18"


def _grouped(national: str) -> str:
    """Ofcom's conventional grouping for each kind of number."""
    if national.startswith("02"):
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if len(national) == 10:
        return f"{national[:5]} {national[5:]}" if national[1] != "8" else _four_six(national)
    if national.startswith("07") or _is_five_digit_area(national):
        return f"{national[:5]} {national[5:]}"
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def _four_six(national: str) -> str:
    return f"{national[:4]} {national[4:]}"


def _is_five_digit_area(national: str) -> bool:
    # 01xxx areas, except the big cities' 011x and 01x1 codes (0113, 0161…).
    return national.startswith("01") and national[2] != "1" and national[3] != "1"
