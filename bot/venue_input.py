"""What venue staff type, read and checked: names, addresses, dates, languages, hours, phones.

Each reader returns the clean value or raises `InputError` with the text key
(and values) of a plain explanation; the chat shows it and asks the same
question again. Nothing here touches Telegram or the database.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache

from bot.texts import ENGLISH
from venues.hours import ClosedReason, open_state, validate_hours
from venues.phones import PhoneError, normalise_uk_phone
from venues.postcodes import normalise_postcode

NAME_LIMIT = 120  # VenueRow.name
PERSON_LIMIT = 120
ADDRESS_LIMITS = (5, 200)
LANGUAGE_LIMIT = 30
MAX_LANGUAGES = 12
HOURS_LIMIT = 300
EXPIRY_YEARS = 10
DATE_EXAMPLE = "31/03/2027"


class InputError(ValueError):
    """Input that can't be used; `key` names the text that explains why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def one_line(text: str | None) -> str:
    """Runs of spaces, tabs and line breaks become one space."""
    return " ".join((text or "").split())


def _has_letter_or_digit(text: str) -> bool:
    return any(c.isalnum() for c in text)


def venue_name(text: str | None) -> str:
    name = one_line(text)
    if not _has_letter_or_digit(name):
        raise InputError("registration.bad.name_empty")
    if len(name) > NAME_LIMIT:
        raise InputError("registration.bad.name_long", length=len(name), limit=NAME_LIMIT)
    return name


def person_text(text: str | None) -> str:
    """A person's name or role at the venue."""
    value = one_line(text)
    if not any(c.isalpha() for c in value) or len(value) > PERSON_LIMIT:
        raise InputError("registration.bad.person", limit=PERSON_LIMIT)
    return value


_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)


def address(text: str | None) -> tuple[str, str | None]:
    """The address as typed (on one line) and its postcode, normalised, if it has one."""
    value = one_line(text)
    low, high = ADDRESS_LIMITS
    if not low <= len(value) <= high or not any(c.isalpha() for c in value):
        raise InputError("registration.bad.address", low=low, high=high)
    match = _POSTCODE_IN_TEXT.search(value)
    postcode = normalise_postcode(match.group(1) + match.group(2)) if match else None
    if match and postcode:
        value = value[: match.start()] + postcode + value[match.end() :]
    return value, postcode


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def expiry_date(text: str | None, today: date) -> date:
    """The last day an accreditation is valid: day/month/year (or ISO), today or later."""
    value = one_line(text)
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_MONTH_YEAR.match(value):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
    else:
        raise InputError("registration.bad.date", example=DATE_EXAMPLE)
    try:
        last_day = date(year, month, day)
    except ValueError:
        raise InputError("registration.bad.date", example=DATE_EXAMPLE) from None
    if last_day < today:
        raise InputError("registration.bad.date_past")
    if last_day.year > today.year + EXPIRY_YEARS:
        raise InputError("registration.bad.date_far", years=EXPIRY_YEARS)
    return last_day


def shown_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@cache
def _language_codes() -> dict[str, str]:
    """English language names (and codes) → ISO code, from the text catalogue."""
    codes = {}
    for key, name in ENGLISH.items():
        if key.startswith("language."):
            code = key.removeprefix("language.")
            codes[name.casefold()] = code
            codes[code] = code
    return codes


def language(text: str | None) -> str:
    """A language typed by name or code: its code when known, else the name as typed."""
    value = one_line(text)
    if (
        not value
        or len(value) > LANGUAGE_LIMIT
        or not all(c.isalpha() or c in " -'" for c in value)
    ):
        raise InputError("registration.bad.language", limit=LANGUAGE_LIMIT)
    return _language_codes().get(value.casefold(), value[:1].upper() + value[1:])


def phone(text: str | None) -> str:
    try:
        return normalise_uk_phone(one_line(text))
    except PhoneError:
        raise InputError("registration.bad.phone") from None


# --- opening hours -----------------------------------------------------------------------

_PARSER_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_LONG_DAY_NAMES = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|s|sday|nesday|rsday|urday)?\b",
    re.IGNORECASE,
)
_LOOSE_TIMES = re.compile(
    r"\b\d{1,2}[.h]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b|(?<![:\d])\b\d{1,2}\s*-\s*\d{1,2}\b(?![:\d])",
    re.IGNORECASE,
)
_CLOCK_TIMES = re.compile(r"\b(\d{1,2}):(\d{2})\b(\s*-)?")


def _impossible_times(text: str) -> bool:
    """A minute past 59, or a start past 24:00 (an end may run on, like 22:00-26:00)."""
    for hour, minute, starts in _CLOCK_TIMES.findall(text):
        if int(minute) > 59 or int(hour) > 48 or (starts and int(hour) > 24):
            return True
    return False


def hours_advice(text: str, parser_message: str) -> list[tuple[str, dict[str, str]]]:
    """Plain-words explanations (text keys and values) of why hours did not parse."""
    advice: list[tuple[str, dict[str, str]]] = []
    if _LONG_DAY_NAMES.search(text):
        advice.append(("hours.problem.day_names", {}))
    if _LOOSE_TIMES.search(text):
        advice.append(("hours.problem.time_format", {}))
    if _impossible_times(text):
        advice.append(("hours.problem.time_range", {}))
    if text.rstrip().endswith((";", ",")):
        advice.append(("hours.problem.trailing", {}))
    if not advice:
        advice.append(("hours.problem.words", {}))
    position = _PARSER_POSITION.search(parser_message)
    if position:
        start = int(position.group(1)) - 1
        while start > 0 and text[start - 1].isalnum():
            start -= 1  # show whole words: "Fri", not "i"
        rest = text[start:][:30]
        if start > 0 and rest.strip():
            advice.append(("hours.problem.at", {"rest": rest}))
    return advice


class HoursInputError(InputError):
    """Hours that don't parse; `advice` explains why in plain words."""

    def __init__(self, advice: list[tuple[str, dict[str, str]]]) -> None:
        super().__init__("registration.bad.hours")
        self.advice = advice


def opening_hours(text: str | None, now: datetime, timezone: str) -> str:
    """OSM opening hours that parse and open at least once in the coming year."""
    value = " ".join((text or "").split())
    if len(value) > HOURS_LIMIT:
        raise InputError("registration.bad.too_long", limit=HOURS_LIMIT)
    problem = validate_hours(value)
    if problem is not None:
        raise HoursInputError(hours_advice(value, problem))
    if open_state(value, now, timezone).reason is ClosedReason.NO_HOURS:
        raise InputError("registration.bad.hours_never_open")
    return value
