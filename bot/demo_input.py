"""What a line typed in the demo terminal means: a demo command, a button press, or
something to send to the bot as the demo user."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from venues.model import Point


class DemoInputError(ValueError):
    """A demo command typed wrongly; the message says how to type it."""


@dataclass(frozen=True, slots=True)
class SendText:
    text: str


@dataclass(frozen=True, slots=True)
class ShareLocation:
    point: Point


@dataclass(frozen=True, slots=True)
class ShareNamedPlace:
    name: str


@dataclass(frozen=True, slots=True)
class PressButton:
    number: int


@dataclass(frozen=True, slots=True)
class PressKey:
    letter: str


@dataclass(frozen=True, slots=True)
class SetClock:
    moment: datetime | None  # None: back to the real time


@dataclass(frozen=True, slots=True)
class ShowClock:
    pass


@dataclass(frozen=True, slots=True)
class BecomeStaff:
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class Quit:
    pass


@dataclass(frozen=True, slots=True)
class Nothing:
    pass


DemoAction = (
    SendText
    | ShareLocation
    | ShareNamedPlace
    | PressButton
    | PressKey
    | SetClock
    | ShowClock
    | BecomeStaff
    | ShowHelp
    | Quit
    | Nothing
)

LOC_USAGE = "usage: /loc LAT LON (e.g. /loc 51.5103 -0.1301) or /loc PLACE (e.g. /loc soho)"
AT_USAGE = "usage: /at YYYY-MM-DD HH:MM, /at sat 23:40, /at 23:40 or /at now"

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_COORDINATES = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_CLOCK_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_line(line: str, *, now: datetime) -> DemoAction:
    """`now` is the demo's local time (for `/at sat 23:40`). Raises DemoInputError."""
    text = line.strip()
    if not text:
        return Nothing()
    if text.isdigit():
        return PressButton(int(text))
    if len(text) == 1 and text.isalpha():
        return PressKey(text.lower())
    head, _, rest = text.partition(" ")
    match head.lower():
        case "/loc" | "/location":
            return parse_loc(rest)
        case "/at" | "/time":
            return parse_at(rest, now=now) if rest.strip() else ShowClock()
        case "/staff":
            return BecomeStaff()
        case "/quit" | "/exit" | "/q":
            return Quit()
        case "/demo" | "?":
            return ShowHelp()
    return SendText(text)


def parse_loc(argument: str) -> ShareLocation | ShareNamedPlace:
    argument = argument.strip()
    if not argument:
        raise DemoInputError(LOC_USAGE)
    numbers = _COORDINATES.match(argument)
    if numbers is None:
        return ShareNamedPlace(argument)
    latitude, longitude = float(numbers.group(1)), float(numbers.group(2))
    # A Telegram app can only share a real point on Earth.
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise DemoInputError("latitude must be between -90 and 90; " + LOC_USAGE)
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise DemoInputError("longitude must be between -180 and 180; " + LOC_USAGE)
    return ShareLocation(Point(latitude, longitude))


def parse_at(argument: str, *, now: datetime) -> SetClock:
    """A local moment: `2026-11-28 23:40`, `sat 23:40` (the next Saturday, today
    included), `tomorrow 01:30`, `23:40` (today), or `now` (the real time again)."""
    words = argument.lower().split()
    if words == ["now"]:
        return SetClock(None)
    if len(words) == 1:
        words = ["today", *words]
    if len(words) != 2:
        raise DemoInputError(AT_USAGE)
    day = _day(words[0], now.date())
    moment = datetime.combine(day, _clock_time(words[1]), tzinfo=now.tzinfo)
    return SetClock(moment)


def _day(word: str, today: date) -> date:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    weekdays = [number for number, name in enumerate(_WEEKDAYS) if name.startswith(word)]
    if len(word) >= 2 and len(weekdays) == 1:  # "sat", "sa", "saturday"; not "t"
        return today + timedelta(days=(weekdays[0] - today.weekday()) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise DemoInputError(AT_USAGE) from None


def _clock_time(word: str) -> time:
    found = _CLOCK_TIME.match(word)
    if found is None:
        raise DemoInputError(AT_USAGE)
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        raise DemoInputError(AT_USAGE)
    return time(hour, minute)
