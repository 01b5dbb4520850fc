"""Typed places → a point: the area's offline gazetteer, and the finder the bot asks.

A person types "lester sqare", "W1D 3QU", "tottenham crt rd station" or
"51.5101, -0.1340"; `Gazetteer.lookup` answers with one place, a short list to
choose from, "not found", or why the coordinates are impossible. It never
raises on user text and answers in well under a millisecond: every name is
normalised once, at load time.

`PlaceFinder` is what the bot calls: the gazetteer first and, only when it finds
nothing and the deployment has turned it on, an online geocoder
(`venues.geocoder`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz, process

from venues.model import BoundingBox, Point
from venues.postcodes import PostcodeError, is_outcode, normalise_postcode

GAZETTEER_FILE = "gazetteer.csv"
# Longer than any place name or address a person would type; longer text is
# not looked up at all (it is not a place, and fuzzy matching it costs time).
MAX_QUERY_CHARS = 200
MAX_CANDIDATES = 5
# Matches this close together are the same place for someone looking for help
# nearby (a square and its station; a station and the street it is on).
SAME_PLACE_METRES = 600.0
# rapidfuzz ratio (0–100) a typo must reach: "lester sqare" scores 86 against
# "leicester square", while unrelated words stay far below.
WHOLE_NAME_CUTOFF = 80.0
WORD_CUTOFF = 80.0
MIN_FUZZY_WORD = 4


class PlaceKind(StrEnum):
    AREA = "area"
    SQUARE = "square"
    LANDMARK = "landmark"
    STATION = "station"
    STREET = "street"
    THEATRE = "theatre"
    DISTRICT = "district"  # a postcode district (outcode), e.g. WC2H
    POSTCODE = "postcode"  # a full postcode, placed at its district
    COORDINATES = "coordinates"
    ADDRESS = "address"  # found by the online geocoder


# When several matches are one place, the broadest name is the most useful answer.
_KIND_PRIORITY = {
    PlaceKind.AREA: 0,
    PlaceKind.SQUARE: 1,
    PlaceKind.LANDMARK: 2,
    PlaceKind.STATION: 3,
    PlaceKind.STREET: 4,
    PlaceKind.THEATRE: 5,
    PlaceKind.DISTRICT: 6,
}
_GAZETTEER_KINDS = frozenset(_KIND_PRIORITY)


class GazetteerError(ValueError):
    """The gazetteer file is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class Place:
    """One row of the gazetteer."""

    name: str
    kind: PlaceKind
    point: Point
    aliases: tuple[str, ...] = ()
    zone: str | None = None


# --- what a lookup answers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """One place. `name` is what to show back; `approximate` when only the
    postcode's district is known, not the exact point."""

    name: str
    kind: PlaceKind
    point: Point
    approximate: bool = False
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several places fit; the person chooses (at most MAX_CANDIDATES, best first)."""

    candidates: tuple[Found, ...]


class NotFoundReason(StrEnum):
    EMPTY = "empty"  # nothing to look up (blank, emoji only, punctuation)
    TOO_LONG = "too_long"
    NO_MATCH = "no_match"
    UNKNOWN_POSTCODE = "unknown_postcode"  # a valid postcode outside the gazetteer


@dataclass(frozen=True, slots=True)
class NotFound:
    reason: NotFoundReason = NotFoundReason.NO_MATCH


class CoordinateProblem(StrEnum):
    NOT_NUMBERS = "not_numbers"  # NaN, infinity
    LATITUDE_RANGE = "latitude_range"  # not within -90..90
    LONGITUDE_RANGE = "longitude_range"  # not within -180..180


@dataclass(frozen=True, slots=True)
class InvalidCoordinates:
    """Text that is coordinates, but impossible ones; `reason` says why (the bot words it)."""

    reason: CoordinateProblem


PlaceResult = Found | Ambiguous | NotFound | InvalidCoordinates


def place_key(name: str) -> str:
    """A short stable key for a gazetteer place (fits in a button's data)."""
    return hashlib.sha1(name.casefold().encode(), usedforsecurity=False).hexdigest()[:8]


# --- normalising text -----------------------------------------------------------------

# Abbreviations people type, expanded word by word ("st" is handled apart:
# "Dean St" is a street, "St James's" a saint).
_ABBREVIATIONS = {
    "rd": "road",
    "sq": "square",
    "sqr": "square",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "pl": "place",
    "gdns": "gardens",
    "cres": "crescent",
    "stn": "station",
    "saint": "st",
    "&": "and",
}
_STATION_SUFFIXES = (
    ("tube", "station"),
    ("underground", "station"),
    ("rail", "station"),
    ("train", "station"),
    ("railway", "station"),
    ("station",),
    ("tube",),
    ("underground",),
)
# Words around a place that are not part of it: "I'm at Soho please".
_LEADING_FILLERS = (
    ("i", "m", "at"),
    ("im", "at"),
    ("i", "am", "at"),
    ("i", "m", "near"),
    ("im", "near"),
    ("i", "am", "near"),
    ("near",),
    ("nearby",),
    ("around",),
    ("outside",),
    ("opposite",),
    ("by",),
    ("at",),
    ("in",),
    ("the",),
)
_TRAILING_FILLERS = (("please",), ("pls",), ("plz",), ("london",), ("uk",), ("area",))
# Words too common to find a place by on their own.
_STOP_WORDS = frozenset({"and", "the", "of", "at", "in", "on", "by", "to", "a", "an"})
_NON_WORD = re.compile(r"[^a-z0-9&]+")


def _ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words: accents dropped, apostrophes joined ("King's" → kings)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = ascii_text.replace("'", "").replace("&", " & ")
    return [word for word in _NON_WORD.split(ascii_text) if word]


def _strip_sequence(words: list[str], sequences: Iterable[tuple[str, ...]], *, end: bool) -> bool:
    for sequence in sequences:
        size = len(sequence)
        if len(words) > size:
            part = words[-size:] if end else words[:size]
            if tuple(part) == sequence:
                if end:
                    del words[-size:]
                else:
                    del words[:size]
                return True
    return False


def _expand(words: list[str]) -> list[str]:
    expanded = [_ABBREVIATIONS.get(word, word) for word in words]
    # "St" at the end of a name is Street ("Dean St"); elsewhere it is Saint.
    if len(expanded) > 1 and expanded[-1] == "st":
        expanded[-1] = "street"
    return expanded


@dataclass(frozen=True, slots=True)
class _Query:
    key: str  # the whole text, normalised
    short_key: str  # without a station suffix ("victoria station" → "victoria")

    @property
    def wants_station(self) -> bool:
        return self.short_key != self.key


def _normalise(text: str, *, strip_fillers: bool) -> _Query:
    words = _expand(_ascii_words(text))
    if strip_fillers:
        while _strip_sequence(words, _LEADING_FILLERS, end=False):
            pass
        while _strip_sequence(words, _TRAILING_FILLERS, end=True):
            pass
    elif len(words) > 1 and words[0] == "the":
        del words[0]
    key = " ".join(words)
    _strip_sequence(words, _STATION_SUFFIXES, end=True)
    return _Query(key=key, short_key=" ".join(words))


def _names_of(place: Place) -> Iterator[str]:
    yield place.name
    yield from place.aliases


# --- coordinates and postcodes --------------------------------------------------------

_NUMBER = r"([+-]?(?:\d+(?:\.\d*)?|\.\d+)|[+-]?(?:nan|inf(?:inity)?))"
_HEMISPHERE = r"\s*°?\s*([nsew])?"
_COORDINATES = re.compile(
    rf"^\s*{_NUMBER}{_HEMISPHERE}\s*(?:[,;/]\s*|\s+){_NUMBER}{_HEMISPHERE}\s*$"
)
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


def _signed(value: float, hemisphere: str | None) -> float:
    return -value if hemisphere in ("s", "w") else value


def parse_coordinates(text: str) -> Found | InvalidCoordinates | None:
    """ "51.5101, -0.1340" → a point; impossible numbers → why; other text → None."""
    match = _COORDINATES.match(text.lower())
    if not match:
        return None
    first, first_side, second, second_side = match.groups()
    latitude, longitude = float(first), float(second)
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return InvalidCoordinates(CoordinateProblem.NOT_NUMBERS)
    # "0.1340 W, 51.5101 N" written longitude first.
    if first_side in ("e", "w") or second_side in ("n", "s"):
        first, first_side, second, second_side = second, second_side, first, first_side
        latitude, longitude = longitude, latitude
    latitude, longitude = _signed(latitude, first_side), _signed(longitude, second_side)
    if not -90 <= latitude <= 90:
        return InvalidCoordinates(CoordinateProblem.LATITUDE_RANGE)
    if not -180 <= longitude <= 180:
        return InvalidCoordinates(CoordinateProblem.LONGITUDE_RANGE)
    return Found(
        name=f"{latitude:.5f}, {longitude:.5f}",
        kind=PlaceKind.COORDINATES,
        point=Point(latitude, longitude),
    )


def _postcode_in(text: str) -> str | None:
    """A full postcode, whether it is the whole text or part of an address."""
    match = _POSTCODE_IN_TEXT.search(text.upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def _metres_between(a: Point, b: Point) -> float:
    """Ground distance, close enough at a few hundred metres (equirectangular)."""
    mean_latitude = math.radians((a.latitude + b.latitude) / 2)
    dx = math.radians(b.longitude - a.longitude) * math.cos(mean_latitude)
    dy = math.radians(b.latitude - a.latitude)
    return 6_371_000.0 * math.hypot(dx, dy)


def _found(place: Place) -> Found:
    return Found(name=place.name, kind=place.kind, point=place.point, zone=place.zone)


# --- the gazetteer --------------------------------------------------------------------


class Gazetteer:
    """The area's named places and postcode districts, indexed for quick lookup."""

    def __init__(self, places: Sequence[Place]) -> None:
        self._places = tuple(places)
        self._by_name = {place.name.casefold(): place for place in self._places}
        self._by_place_key = {place_key(place.name): place for place in self._places}
        self._districts = {
            place.name.upper(): place for place in self._places if place.kind is PlaceKind.DISTRICT
        }
        self._by_key: dict[str, list[Place]] = defaultdict(list)
        self._by_word: dict[str, set[str]] = defaultdict(set)
        for place in self._places:
            if place.kind is not PlaceKind.DISTRICT:
                self._index(place)
        self._keys = list(self._by_key)
        self._words = sorted(word for word in self._by_word if len(word) >= MIN_FUZZY_WORD)

    def _index(self, place: Place) -> None:
        for name in _names_of(place):
            query = _normalise(name, strip_fillers=False)
            # Only a station is still itself without the word ("Victoria station").
            keys = {query.key, query.short_key} if place.kind is PlaceKind.STATION else {query.key}
            for key in keys - {""}:
                if place not in self._by_key[key]:
                    self._by_key[key].append(place)
                for word in key.split():
                    self._by_word[word].add(key)

    @property
    def places(self) -> tuple[Place, ...]:
        return self._places

    def by_key(self, key: str) -> Place | None:
        """A place by its `place_key` (how a button names a place in 8 characters)."""
        return self._by_place_key.get(key)

    def get(self, name: str) -> Place | None:
        """A place by its exact name (as shown in a list of candidates)."""
        return self._by_name.get(name.strip().casefold())

    def district(self, outcode: str) -> Place | None:
        return self._districts.get(outcode.strip().upper())

    def place_postcode(self, postcode: str) -> Point | None:
        """Where a full postcode is, to its district's centre (None: not ours or not valid)."""
        try:
            outcode = normalise_postcode(postcode).split(" ")[0]
        except PostcodeError:
            return None
        district = self._districts.get(outcode)
        return district.point if district else None

    def lookup(self, text: str) -> PlaceResult:
        """What the person means by `text`; never raises."""
        if not isinstance(text, str) or not text.strip():
            return NotFound(NotFoundReason.EMPTY)
        if len(text) > MAX_QUERY_CHARS:
            return NotFound(NotFoundReason.TOO_LONG)
        coordinates = parse_coordinates(text)
        if coordinates is not None:
            return coordinates
        by_postcode = self._lookup_postcode(text)
        if by_postcode is not None:
            return by_postcode
        return self._lookup_name(text)

    # --- postcodes ------------------------------------------------------------------

    def _lookup_postcode(self, text: str) -> PlaceResult | None:
        if is_outcode(text):
            district = self.district(re.sub(r"\s+", "", text))
            if district is not None:
                return _found(district)
            return None  # shaped like a district but not one of ours: maybe a name
        postcode = _postcode_in(text)
        if postcode is None:
            return None
        point = self.place_postcode(postcode)
        if point is None:
            return NotFound(NotFoundReason.UNKNOWN_POSTCODE)
        return Found(name=postcode, kind=PlaceKind.POSTCODE, point=point, approximate=True)

    # --- names ----------------------------------------------------------------------

    def _lookup_name(self, text: str) -> PlaceResult:
        query = _normalise(text, strip_fillers=True)
        if set(query.key.split()) <= _STOP_WORDS:
            return NotFound(NotFoundReason.EMPTY)
        result = self._resolve(query)
        if result is not None:
            return result
        for corrected in (self._closest_name(query), self._corrected_words(query)):
            if corrected is not None:
                result = self._resolve(corrected)
                if result is not None:
                    return result
        return NotFound(NotFoundReason.NO_MATCH)

    def _resolve(self, query: _Query) -> PlaceResult | None:
        exact = self._by_key.get(query.key) or self._by_key.get(query.short_key) or []
        if query.wants_station:
            stations = [place for place in exact if place.kind is PlaceKind.STATION]
            if len(stations) == 1:
                return _found(stations[0])  # the person said which one they mean
        key = query.key if query.key in self._by_key else query.short_key
        exact = _by_priority(exact)
        near = exact[0].point if exact else None
        containing = [place for place in self._containing(key, near) if place not in exact]
        return self._choose(exact, containing)

    def _containing(self, key: str, near: Point | None) -> list[Place]:
        """Places with a longer name holding all of `key`'s words in order: closest
        names first ("victoria street" before "victoria coach station"), then the
        ones nearer `near` (the exact match, if any), then the broader kinds."""
        words = key.split()
        if not words or all(word in _STOP_WORDS or len(word) < 3 for word in words):
            return []
        postings = [self._by_word.get(word) for word in words]
        if any(posting is None for posting in postings):
            return []
        keys = set.intersection(*postings)  # type: ignore[arg-type]
        pattern = f" {key} "
        places: dict[Place, tuple[int, float, int, str]] = {}
        for candidate in keys:
            if candidate == key or pattern not in f" {candidate} ":
                continue
            extra_words = len(candidate.split()) - len(words)
            for place in self._by_key[candidate]:
                metres = _metres_between(near, place.point) if near else 0.0
                rank = (extra_words, metres, _KIND_PRIORITY[place.kind], place.name)
                places[place] = min(rank, places.get(place, rank))
        return sorted(places, key=places.__getitem__)

    def _choose(self, exact: list[Place], containing: list[Place]) -> PlaceResult | None:
        if not exact and not containing:
            return None
        best = exact[0] if exact else _by_priority(containing)[0]
        others = [place for place in (*exact, *containing) if place is not best]
        if all(_metres_between(best.point, p.point) <= SAME_PLACE_METRES for p in others):
            return _found(best)
        return Ambiguous(tuple(_found(place) for place in (*exact, *containing)[:MAX_CANDIDATES]))

    def _closest_name(self, query: _Query) -> _Query | None:
        """The name nearest to a misspelt whole query ("picadilly circus")."""
        for text in dict.fromkeys((query.key, query.short_key)):
            if len(text) < 3:
                continue
            match = process.extractOne(
                text, self._keys, scorer=fuzz.ratio, score_cutoff=WHOLE_NAME_CUTOFF
            )
            if match is not None:
                return _Query(key=match[0], short_key=match[0])
        return None

    def _corrected_words(self, query: _Query) -> _Query | None:
        """Each misspelt word replaced by the nearest word of a known name ("lester")."""
        words = query.short_key.split()
        corrected: list[str] = []
        for word in words:
            if word in self._by_word or len(word) < MIN_FUZZY_WORD:
                corrected.append(word)
                continue
            match = process.extractOne(
                word, self._words, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF
            )
            if match is None:
                return None
            corrected.append(match[0])
        if corrected == words:
            return None
        key = " ".join(corrected)
        return _Query(key=key, short_key=key)


def _by_priority(places: Iterable[Place]) -> list[Place]:
    return sorted(places, key=lambda place: _KIND_PRIORITY[place.kind])


# --- loading --------------------------------------------------------------------------


def _place_from_row(row: dict[str, str], line: int) -> Place:
    try:
        name = row["name"].strip()
        kind = PlaceKind(row["kind"].strip())
        point = Point(float(row["latitude"]), float(row["longitude"]))
    except (KeyError, ValueError, AttributeError, TypeError) as error:
        raise GazetteerError(f"line {line}: {error}") from None
    if not name or kind not in _GAZETTEER_KINDS:
        raise GazetteerError(f"line {line}: a place needs a name and a place kind")
    if not (math.isfinite(point.latitude) and math.isfinite(point.longitude)):
        raise GazetteerError(f"line {line}: coordinates must be numbers")
    aliases = tuple(alias.strip() for alias in (row.get("aliases") or "").split(";"))
    zone = (row.get("zone") or "").strip() or None
    return Place(name, kind, point, tuple(alias for alias in aliases if alias), zone)


def read_gazetteer(text: str) -> list[Place]:
    """Rows of the CSV; lines starting with `#` are comments (section headings)."""
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return []
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in numbered)))
    return [_place_from_row(row, numbered[index + 1][0]) for index, row in enumerate(reader)]


def load_gazetteer(data_dir: Path) -> Gazetteer:
    """The deployment's gazetteer from `data_dir/gazetteer.csv`."""
    path = Path(data_dir) / GAZETTEER_FILE
    return Gazetteer(read_gazetteer(path.read_text(encoding="utf-8")))


# --- the finder the bot calls ---------------------------------------------------------


class Geocoder(Protocol):
    """An online geocoder: a place for the text, or None (never raises)."""

    async def geocode(self, text: str) -> Found | None: ...

    async def close(self) -> None: ...


class FinderSettings(Protocol):
    """The part of the bot's settings the finder reads."""

    geocoder: str
    geocoder_domain: str
    geocoder_scheme: str
    geocoder_user_agent: str

    @property
    def area(self) -> BoundingBox: ...


# Offline answers that an online geocoder might improve on.
_ASK_ONLINE = frozenset({NotFoundReason.NO_MATCH, NotFoundReason.UNKNOWN_POSTCODE})


class PlaceFinder:
    """The offline gazetteer first; the online geocoder only when that finds nothing."""

    def __init__(self, gazetteer: Gazetteer, geocoder: Geocoder | None = None) -> None:
        self.gazetteer = gazetteer
        self._geocoder = geocoder

    @classmethod
    def from_settings(cls, gazetteer: Gazetteer, settings: FinderSettings) -> PlaceFinder:
        if settings.geocoder != "nominatim":
            return cls(gazetteer)
        from venues.geocoder import NominatimGeocoder  # only loaded when turned on

        geocoder = NominatimGeocoder(
            area=settings.area,
            user_agent=settings.geocoder_user_agent,
            domain=settings.geocoder_domain,
            scheme=settings.geocoder_scheme,
        )
        return cls(gazetteer, geocoder)

    @property
    def online(self) -> bool:
        return self._geocoder is not None

    async def find(self, text: str) -> PlaceResult:
        offline = self.gazetteer.lookup(text)
        if self._geocoder is None or not (
            isinstance(offline, NotFound) and offline.reason in _ASK_ONLINE
        ):
            return offline
        online = await self._geocoder.geocode(text)
        return online if online is not None else offline

    async def close(self) -> None:
        if self._geocoder is not None:
            await self._geocoder.close()
