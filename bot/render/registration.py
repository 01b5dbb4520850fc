"""What venue registration shows: each question with its buttons, the summary, and the
venue's details as the summary and the review card list them.

Button data starts with the chat's own prefix (`rg` for /register, `vc` for a
change of place) and is parsed strictly by `decode`: anything else is refused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply, VenuePin, facilities_line, kind_badge
from bot.texts import Html, escape, has_key, join, t
from bot.venue_input import DATE_EXAMPLE, shown_date
from venues.model import Facility, Venue, VenueKind
from venues.partnership import Scheme

PREFIX = "rg"

# Languages offered as buttons (ISO 639-1); others are typed.
COMMON_LANGUAGES = ("en", "es", "fr", "it", "de", "pt", "pl", "ro", "ar", "zh", "hi", "tr")

# Opening-hours presets: (text key of the label, OSM hours).
HOURS_PRESETS: tuple[tuple[str, str], ...] = (
    ("registration.preset.fri_sat", "Fr,Sa 22:00-04:00"),
    ("registration.preset.thu_sat", "Th-Sa 21:00-03:00"),
    ("registration.preset.every_night", "Mo-Su 18:00-02:00"),
    ("registration.preset.always", "24/7"),
)

KIND_CODES = {"s": VenueKind.SAFE_HAVEN, "a": VenueKind.ACCREDITED}


class Part:
    """The parts of a registration that "Edit a field" can go back to."""

    NAME = "name"
    WHERE = "where"
    ADDRESS = "address"
    KIND = "kind"
    SCHEMES = "schemes"
    FACILITIES = "facilities"
    LANGUAGES = "languages"
    HOURS = "hours"
    PHONE = "phone"
    APPLICANT_NAME = "applicant_name"
    APPLICANT_ROLE = "applicant_role"

    ALL = (
        NAME,
        WHERE,
        ADDRESS,
        KIND,
        SCHEMES,
        FACILITIES,
        LANGUAGES,
        HOURS,
        PHONE,
        APPLICANT_NAME,
        APPLICANT_ROLE,
    )


# --- button data ---------------------------------------------------------------------------

_DATA = re.compile(r"^(?P<prefix>[a-z]{2})\|(?P<action>[a-z]{1,2})(?:\|(?P<arg>[a-z0-9_]{1,20}))?$")


def data(prefix: str, action: str, argument: object | None = None) -> str:
    return f"{prefix}|{action}" if argument is None else f"{prefix}|{action}|{argument}"


def decode(value: str | None, prefix: str) -> tuple[str, str | None] | None:
    """(action, argument) of a button made with `data(prefix, …)`; None for anything else."""
    match = _DATA.match(value or "")
    if not match or match["prefix"] != prefix:
        return None
    return match["action"], match["arg"]


def pattern(prefix: str, action: str) -> str:
    """A CallbackQueryHandler pattern for one action's buttons."""
    return rf"^{prefix}\|{action}(?:\|[a-z0-9_]{{1,20}})?$"


def _button(
    label: str, prefix: str, action: str, argument: object | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(prefix, action, argument))


def _rows(
    buttons: Sequence[InlineKeyboardButton], per_row: int
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Html as plain text, for what Telegram shows unparsed: button labels, alerts."""
    return html.unescape(_TAG.sub("", text))


def label(key: str, language: str | None, **values: object) -> str:
    """A button's label: the text, with its values as written (labels are not HTML)."""
    return plain(t(key, language, **values))


def _toggle_label(text: str, on: bool, language: str) -> str:
    return label("registration.button.on", language, label=text) if on else text


# --- the venue's details ---------------------------------------------------------------------


@dataclass(frozen=True)
class VenueDetails:
    """A venue as registered: what the summary and the review card list."""

    name: str
    kind: VenueKind | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    schemes: tuple[str, ...] = ()
    expiries: Mapping[str, date | None] = field(default_factory=dict)
    facilities: frozenset[Facility] = frozenset()
    languages: tuple[str, ...] = ()
    hours: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, venue: Venue, expiries: Mapping[str, date | None] | None = None) -> VenueDetails:
        return cls(
            name=venue.name,
            kind=venue.kind,
            address=venue.address,
            latitude=venue.latitude,
            longitude=venue.longitude,
            schemes=venue.schemes,
            expiries=dict(expiries or {}),
            facilities=venue.facilities,
            languages=venue.languages,
            hours=venue.opening_hours,
            phone=venue.phone,
        )


def map_url(latitude: float, longitude: float) -> str:
    return f"https://www.google.com/maps?q={latitude:.6f},{longitude:.6f}"


def _scheme_text(scheme: str, expires_on: date | None, language: str) -> Html:
    if expires_on is None:
        return escape(scheme)
    return t(
        "registration.line.scheme_expiry", language, scheme=scheme, date=shown_date(expires_on)
    )


def _language_names(codes: Sequence[str], language: str) -> str:
    names = []
    for code in codes:
        key = f"language.{code}"
        names.append(t(key, language) if has_key(key) else code)
    return ", ".join(names)


def details_lines(details: VenueDetails, language: str) -> list[Html]:
    lines = [t("registration.line.name", language, value=details.name)]
    if details.kind is not None:
        lines.append(
            t("registration.line.kind", language, value=kind_badge(details.kind, language))
        )
    if details.address:
        lines.append(t("registration.line.address", language, value=details.address))
    if details.latitude is not None and details.longitude is not None:
        lines.append(
            t(
                "registration.line.position",
                language,
                url=map_url(details.latitude, details.longitude),
                latitude=f"{details.latitude:.5f}",
                longitude=f"{details.longitude:.5f}",
            )
        )
    if details.schemes:
        schemes = [_scheme_text(s, details.expiries.get(s), language) for s in details.schemes]
        lines.append(t("registration.line.schemes", language, value=join(schemes, ", ")))
    facilities = _facilities(details, language)
    if facilities is not None:
        lines.append(facilities)
    if details.hours:
        lines.append(t("registration.line.hours", language, value=details.hours))
    if details.phone:
        lines.append(t("registration.line.phone", language, value=details.phone))
    return lines


def _facilities(details: VenueDetails, language: str) -> Html | None:
    if details.kind is None:
        return None
    shown = Venue(
        id=0,
        name=details.name,
        kind=details.kind,
        address="",
        postcode=None,
        latitude=0.0,
        longitude=0.0,
        opening_hours="24/7",
        facilities=details.facilities,
        languages=details.languages,
    )
    line = facilities_line(shown, language)
    return line if line is not None else t("registration.line.no_facilities", language)


# --- the questions ---------------------------------------------------------------------------


def with_problem(reply: Reply, problem: Html | None) -> Reply:
    """The same question again, after a line saying what was wrong."""
    if problem is None:
        return reply
    return Reply(join([problem, reply.text], "\n\n"), reply.keyboard, reply.pin)


def intro(partnership: str, language: str) -> Reply:
    return Reply(
        join(
            [
                t("registration.intro", language, partnership=partnership),
                t("registration.ask.name", language),
            ],
            "\n\n",
        )
    )


def ask(key: str, language: str, **values: object) -> Reply:
    """A question answered by typing."""
    return Reply(t(key, language, **values))


def where_question(language: str, prefix: str = PREFIX, *, venue_name: str | None = None) -> Reply:
    """Where is the venue? For a listed venue (`venue_name`), with a "Same place" button."""
    if venue_name is None:
        return Reply(t("registration.ask.where", language))
    keyboard = InlineKeyboardMarkup(
        [[_button(t("myvenue.button.same_place", language), prefix, "sp")]]
    )
    return Reply(t("myvenue.ask_where", language, name=venue_name), keyboard)


@dataclass(frozen=True, slots=True)
class Spot:
    """A place the venue may be: a shared pin, or one the places lookup found."""

    latitude: float
    longitude: float
    label: str
    district: str | None = None  # set when only the postcode district is known

    def as_data(self) -> list[object]:
        return [self.latitude, self.longitude, self.label, self.district]

    @classmethod
    def from_data(cls, value: object) -> Spot | None:
        if not isinstance(value, list) or len(value) != 4:
            return None
        latitude, longitude, label, district = value
        return cls(float(latitude), float(longitude), str(label), district)


def where_choices(spots: Sequence[Spot], language: str, prefix: str = PREFIX) -> Reply:
    buttons = [_button(spot.label[:60], prefix, "p", i) for i, spot in enumerate(spots)]
    return Reply(
        t("registration.ask.where_choose", language), InlineKeyboardMarkup(_rows(buttons, 1))
    )


def where_confirm(spot: Spot, language: str, prefix: str = PREFIX) -> Reply:
    lines = [t("registration.ask.where_confirm", language)]
    if spot.district:
        lines.insert(0, t("registration.approximate", language, district=spot.district))
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(t("registration.button.yes", language), prefix, "y"),
                _button(t("registration.button.no", language), prefix, "n"),
            ]
        ]
    )
    pin = VenuePin(spot.latitude, spot.longitude, spot.label[:64] or "📍", spot.label[:100] or "📍")
    return Reply(join(lines, "\n\n"), keyboard, pin)


def kind_question(language: str, prefix: str = PREFIX, *, venue_name: str | None = None) -> Reply:
    buttons = [
        _button(kind_badge(kind, language), prefix, "k", code) for code, kind in KIND_CODES.items()
    ]
    rows = [buttons]
    if venue_name is not None:
        rows.append([_button(t("myvenue.button.same_kind", language), prefix, "k", "same")])
        return Reply(t("myvenue.ask_kind", language, name=venue_name), InlineKeyboardMarkup(rows))
    return Reply(t("registration.ask.kind", language), InlineKeyboardMarkup(rows))


def schemes_question(schemes: Sequence[Scheme], chosen: Sequence[str], language: str) -> Reply:
    buttons = [
        _button(_toggle_label(scheme.name, scheme.key in chosen, language), PREFIX, "s", i)
        for i, scheme in enumerate(schemes)
    ]
    rows = _rows(buttons, 1)
    rows.append([_button(t("registration.button.done", language), PREFIX, "s", "ok")])
    return Reply(t("registration.ask.schemes", language), InlineKeyboardMarkup(rows))


def expiry_question(scheme_name: str, language: str) -> Reply:
    keyboard = InlineKeyboardMarkup(
        [[_button(t("registration.button.no_expiry", language), PREFIX, "x", "none")]]
    )
    return Reply(
        t("registration.ask.expiry", language, scheme=scheme_name, example=DATE_EXAMPLE), keyboard
    )


def facilities_question(chosen: Sequence[str], language: str) -> Reply:
    buttons = [
        _button(
            _toggle_label(t(f"facility.{f.value}", language), f.value in chosen, language),
            PREFIX,
            "f",
            i,
        )
        for i, f in enumerate(Facility)
    ]
    rows = _rows(buttons, 2)
    rows.append([_button(t("registration.button.done", language), PREFIX, "f", "ok")])
    return Reply(t("registration.ask.facilities", language), InlineKeyboardMarkup(rows))


def language_options(chosen: Sequence[str]) -> list[str]:
    """The language buttons: the common ones, then any typed ones, in order."""
    return [*COMMON_LANGUAGES, *(code for code in chosen if code not in COMMON_LANGUAGES)]


def languages_question(chosen: Sequence[str], language: str) -> Reply:
    buttons = [
        _button(
            _toggle_label(_language_names([code], language), code in chosen, language),
            PREFIX,
            "l",
            i,
        )
        for i, code in enumerate(language_options(chosen))
    ]
    rows = _rows(buttons, 3)
    rows.append([_button(t("registration.button.done", language), PREFIX, "l", "ok")])
    return Reply(t("registration.ask.languages", language), InlineKeyboardMarkup(rows))


def hours_keyboard(language: str, prefix: str = PREFIX) -> InlineKeyboardMarkup:
    buttons = [
        _button(t(key, language), prefix, "h", i) for i, (key, _) in enumerate(HOURS_PRESETS)
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def hours_question(language: str) -> Reply:
    return Reply(t("registration.ask.hours", language), hours_keyboard(language))


def hours_problem(advice: Sequence[tuple[str, dict[str, str]]], language: str) -> Html:
    explained = join([t(key, language, **values) for key, values in advice], " ")
    return t("registration.bad.hours", language, problem=explained)


def summary(
    details: VenueDetails, applicant_name: str, applicant_role: str, language: str
) -> Reply:
    lines = [
        *details_lines(details, language),
        t("registration.line.applicant", language, name=applicant_name, role=applicant_role),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("registration.button.confirm", language), PREFIX, "ok")],
            [
                _button(t("registration.button.edit", language), PREFIX, "ed"),
                _button(t("registration.button.cancel", language), PREFIX, "no"),
            ],
        ]
    )
    return Reply(t("registration.summary", language, details=join(lines)), keyboard)


def edit_question(language: str) -> Reply:
    buttons = [
        _button(t(f"registration.field.{name}", language), PREFIX, "e", name) for name in Part.ALL
    ]
    rows = _rows(buttons, 2)
    rows.append([_button(t("registration.button.back", language), PREFIX, "e", "back")])
    return Reply(t("registration.ask.edit", language), InlineKeyboardMarkup(rows))
