"""Turns domain results into what a user sees: message text and keyboards.

Everything is built from `texts.t` (escaped HTML) and handed to handlers as a
`Reply`; handlers only send it. This module holds the shared pieces and the
public answers; each staff feature has its own module beside it
(`bot.render.registration`, `bot.render.broadcast`, …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.callbacks import (
    FILTER_FACILITIES,
    MAX_LIMIT,
    NearbyQuery,
    encode_nearby,
    encode_place,
)
from bot.commands import Command
from bot.store.alerts import Alert
from bot.store.stats import UsageFigures
from bot.store.subscriptions import Subscription
from bot.texts import Html, escape, has_key, join, t
from venues.hours import ClosedReason, OpenState
from venues.locator import NearbyVenue
from venues.model import Facility, Venue, VenueKind
from venues.nearby import NearbyAnswer
from venues.partnership import Emergency, NightStarsStatus, Partnership, Zone
from venues.places import Found, place_key

Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class VenuePin:
    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: Html
    keyboard: Keyboard | None = None
    pin: VenuePin | None = None
    # Its buttons are how the person answers (a picker), so simple mode keeps them.
    interactive: bool = False


# --- small pieces ----------------------------------------------------------------------


def distance(metres: float, language: str) -> Html:
    if metres < 1000:
        return t("distance.m", language, metres=max(10, int(round(metres, -1))))
    km = f"{metres / 1000:.1f}".replace(".", t("number.decimal_point", language))
    return t("distance.km", language, km=km)


def _moment(moment: datetime, now: datetime, zone: ZoneInfo, language: str) -> dict[str, str]:
    local, local_now = moment.astimezone(zone), now.astimezone(zone)
    values = {"time": local.strftime("%H:%M")}
    if local.date() != local_now.date() and local - local_now >= timedelta(hours=20):
        values["day"] = t(f"weekday.{local.weekday()}", language)
    return values


def open_state(state: OpenState, now: datetime, zone: ZoneInfo, language: str) -> Html:
    if state.is_open:
        if state.open_until is None:
            return t("state.open_24h", language)
        values = _moment(state.open_until, now, zone, language)
        key = "state.open_until_day" if "day" in values else "state.open_until"
        return t(key, language, **values)
    if state.opens_next is None:
        return t("state.closed_unknown", language)
    values = _moment(state.opens_next, now, zone, language)
    if state.reason is ClosedReason.TEMPORARILY_CLOSED:
        values.setdefault(
            "day", t(f"weekday.{state.opens_next.astimezone(zone).weekday()}", language)
        )
        return t("state.closed_tonight", language, **values)
    key = "state.closed_opens_day" if "day" in values else "state.closed_opens"
    return t(key, language, **values)


def kind_badge(kind: VenueKind, language: str) -> Html:
    return t(f"kind.{kind.value}", language)


def facilities_line(venue: Venue, language: str) -> Html | None:
    return _facilities_line(venue.facilities, venue.languages, language)


# Venues share a few combinations of facilities and languages (the index keeps each
# once), and every answer shows five venues' lines: each combination is written once.
@lru_cache(maxsize=1024)
def _facilities_line(
    facilities: frozenset[Facility], languages: tuple[str, ...], language: str
) -> Html | None:
    labels = [
        t(f"facility.{facility.value}", language)
        for facility in _FACILITIES
        if facility in facilities
    ]
    if languages:
        spoken = ", ".join(_language_name(code, language) for code in languages)
        labels.append(t("facility.languages", language, languages=spoken))
    return join(labels, " · ") if labels else None


_FACILITIES = tuple(Facility)  # the order facilities are listed in


def _language_name(code: str, language: str) -> str:
    key = f"language.{code.strip().lower()}"
    return t(key, language) if has_key(key) else code


def directions_url(venue: Venue) -> str:
    destination = quote(f"{venue.latitude:.6f},{venue.longitude:.6f}")
    return f"https://www.google.com/maps/dir/?api=1&destination={destination}&travelmode=walking"


# --- the nearby answer ------------------------------------------------------------------


def _nearby_item(
    number: int, place: NearbyVenue, now: datetime, zone: ZoneInfo, language: str
) -> Html:
    venue = place.venue
    lines = [
        t(
            "nearby.item",
            language,
            number=number,
            badge=kind_badge(venue.kind, language),
            name=venue.name,
            distance=distance(place.distance_m, language),
            minutes=place.walking_minutes,
            state=open_state(place.state, now, zone, language),
        ),
        t("nearby.address", language, address=_address(venue)),
    ]
    if venue.phone:
        lines.append(t("nearby.phone", language, phone=venue.phone))
    facilities = facilities_line(venue, language)
    if facilities:
        lines.append(t("nearby.facilities", language, facilities=facilities))
    return join(lines)


def _address(venue: Venue) -> str:
    if venue.postcode and venue.postcode not in venue.address:
        return f"{venue.address}, {venue.postcode}"
    return venue.address


def _title(query: NearbyQuery, place_name: str | None, now: str, language: str) -> Html:
    suffix = "_all" if query.include_closed else ""
    if place_name:
        return t(f"nearby.title_place{suffix}", language, place=place_name, time=now)
    return t(f"nearby.title_here{suffix}", language, time=now)


def nearby(
    answer: NearbyAnswer,
    query: NearbyQuery,
    *,
    now: datetime,
    zone: ZoneInfo,
    radius_m: float,
    emergency_number: str,
    language: str,
    place_name: str | None = None,
    approximate_district: str | None = None,
    outside_area: bool = False,
) -> Reply:
    local_now = now.astimezone(zone)
    day_time = f"{t(f'weekday.{local_now.weekday()}', language)} {local_now:%H:%M}"
    parts: list[Html] = [_title(query, place_name, day_time, language)]
    if outside_area:
        parts.append(t("places.outside_area", language))
    if approximate_district:
        parts.append(t("nearby.approximate", language, district=approximate_district))
    if query.facilities:
        parts.append(t("nearby.filters", language, filters=_filter_names(query, language)))
    items = [
        _nearby_item(i, place, now, zone, language) for i, place in enumerate(answer.places, 1)
    ]
    if items:
        parts.append(join(items, "\n\n"))
    pin_venue = answer.places[0].venue if answer.places else None
    if not any(place.state.is_open for place in answer.places):
        parts.append(_nothing_open(answer, query, now, zone, radius_m, language, place_name))
        if answer.nearest_open_far is not None:
            pin_venue = answer.nearest_open_far.venue
    parts.append(t("emergency.line", language, emergency_number=emergency_number))
    return Reply(
        text=join(parts, "\n\n"),
        keyboard=nearby_keyboard(answer, query, pin_venue, language),
        pin=_pin(pin_venue) if pin_venue else None,
    )


def _filter_names(query: NearbyQuery, language: str) -> Html:
    return join(
        [t(f"facility.{f.value}", language) for f in FILTER_FACILITIES if f in query.facilities],
        ", ",
    )


def _nothing_open(
    answer: NearbyAnswer,
    query: NearbyQuery,
    now: datetime,
    zone: ZoneInfo,
    radius_m: float,
    language: str,
    place_name: str | None,
) -> Html:
    radius = distance(radius_m, language)
    if query.facilities:
        lines = [
            t("nearby.none_match", language, radius=radius, filters=_filter_names(query, language))
        ]
    else:
        where = place_name or t("nearby.where_you", language)
        lines = [t("nearby.none_within", language, radius=radius, where=where)]
    far = answer.nearest_open_far
    if far is None:
        lines.append(t("nearby.none_open", language))
    else:
        lines.append(t("nearby.nearest_far", language, distance=distance(far.distance_m, language)))
        lines.append(_nearby_item(1, far, now, zone, language))
    return join(lines, "\n")


def _pin(venue: Venue) -> VenuePin:
    return VenuePin(venue.latitude, venue.longitude, venue.name, _address(venue))


def nearby_keyboard(
    answer: NearbyAnswer, query: NearbyQuery, pin_venue: Venue | None, language: str
) -> InlineKeyboardMarkup:
    first_row: list[InlineKeyboardButton] = []
    if pin_venue is not None:
        first_row.append(
            InlineKeyboardButton(t("button.directions", language), url=directions_url(pin_venue))
        )
    if answer.has_more and query.limit < MAX_LIMIT:
        first_row.append(
            InlineKeyboardButton(
                t("button.more", language), callback_data=encode_nearby(query.more())
            )
        )
    closed_key = "button.only_open" if query.include_closed else "button.include_closed"
    first_row.append(
        InlineKeyboardButton(
            t(closed_key, language),
            callback_data=encode_nearby(query.with_closed(not query.include_closed)),
        )
    )
    filter_row = []
    for facility in FILTER_FACILITIES:
        label = t(f"button.filter.{facility.value}", language)
        if facility in query.facilities:
            label = t("button.filter_on", language, label=label)
        filter_row.append(
            InlineKeyboardButton(label, callback_data=encode_nearby(query.toggled(facility)))
        )
    return InlineKeyboardMarkup([first_row, filter_row[:2], filter_row[2:]])


# --- start, help -------------------------------------------------------------------------


def main_keyboard(language: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t("keyboard.share_location", language), request_location=True)],
            [
                KeyboardButton(t("keyboard.emergency", language)),
                KeyboardButton(t("keyboard.night_stars", language)),
                KeyboardButton(t("keyboard.alerts", language)),
            ],
        ],
        resize_keyboard=True,
        input_field_placeholder=t("keyboard.placeholder", language)[:64],
    )


def start(partnership_name: str, language: str) -> Reply:
    return Reply(t("start.intro", language, partnership=partnership_name), main_keyboard(language))


def help_text(partnership_name: str, commands: Sequence[Command], language: str) -> Reply:
    lines = [
        t("help.command_line", language, command=c.name, description=t(c.description_key, language))
        for c in commands
    ]
    text = join(
        [
            start(partnership_name, language).text,
            t("help.commands", language, commands=join(lines)),
        ],
        "\n\n",
    )
    return Reply(text, main_keyboard(language))


# --- typed places and venue cards -----------------------------------------------------


def place_choices(candidates: Sequence[Found], language: str) -> Reply:
    rows = [
        [InlineKeyboardButton(place.name, callback_data=encode_place(place_key(place.name)))]
        for place in candidates
    ]
    return Reply(t("places.choose", language), InlineKeyboardMarkup(rows), interactive=True)


def venue_card(
    venue: Venue | None,
    *,
    listed: bool,
    now: datetime,
    zone: ZoneInfo,
    partnership_name: str,
    language: str,
    state: OpenState | None = None,
) -> Reply:
    """A venue as the public sees it, and whether its listing is current."""
    if venue is None:
        return Reply(t("venue.unknown", language))
    lines = [
        t(
            "venue.card",
            language,
            badge=kind_badge(venue.kind, language),
            name=venue.name,
            address=_address(venue),
            state=open_state(state, now, zone, language) if state else "",
        )
    ]
    if venue.phone:
        lines.append(t("venue.card_phone", language, phone=venue.phone))
    if venue.schemes:
        lines.append(t("venue.card_schemes", language, schemes=", ".join(venue.schemes)))
    facilities = facilities_line(venue, language)
    if facilities:
        lines.append(facilities)
    current_key = "venue.current" if listed else "venue.not_current"
    lines.append(t(current_key, language, partnership=partnership_name))
    keyboard = None
    if listed:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t("button.directions", language), url=directions_url(venue))]]
        )
    return Reply(join(lines), keyboard, _pin(venue) if listed else None)


# --- emergency and Night Stars ---------------------------------------------------------


def emergency(contacts: Emergency, language: str) -> Reply:
    numbers = contacts.emergency_numbers
    lines = [
        t("emergency.title", language),
        t(
            "emergency.call",
            language,
            emergency_number=numbers[0],
            international_number=numbers[1] if len(numbers) > 1 else numbers[0],
        ),
        t("emergency.silent", language, silent=contacts.silent_call),
        t("emergency.sms", language, sms=contacts.sms),
        t("emergency.non_emergency", language, non_emergency_number=contacts.non_emergency_number),
        t("emergency.angela", language, angela=contacts.ask_for_angela),
        t("emergency.share", language),
    ]
    return Reply(join(lines, "\n\n"), main_keyboard(language))


def night_stars(
    partnership: Partnership,
    status: NightStarsStatus,
    now: datetime,
    zone: ZoneInfo,
    language: str,
) -> Reply:
    info = partnership.night_stars
    lines = [t("nightstars.title", language), escape(info.description)]
    if status.on_duty and status.until is not None:
        lines.append(
            t("nightstars.on_duty", language, until=_when(status.until, now, zone, language))
        )
    elif status.next_on_duty is not None:
        lines.append(
            t("nightstars.off_duty", language, next=_when(status.next_on_duty, now, zone, language))
        )
    else:
        lines.append(t("nightstars.no_schedule", language))
    lines.append(t("nightstars.when", language, when=info.schedule_summary))
    if info.meeting_points:
        where = "; ".join(point.name for point in info.meeting_points)
        lines.append(t("nightstars.where", language, where=where))
    contact = [c for c in (info.contact.phone, info.contact.telegram, info.contact.website) if c]
    if contact:
        lines.append(t("nightstars.contact", language, contact=" · ".join(contact)))
    return Reply(join(lines, "\n\n"))


def _when(moment: datetime, now: datetime, zone: ZoneInfo, language: str) -> Html:
    values = _moment(moment, now, zone, language)
    if "day" in values:
        return t("when.day_time", language, **values)
    return t("when.time", language, **values)


# --- subscriptions and alerts -----------------------------------------------------------


def zones_from_mask(zones: Sequence[Zone], mask: int) -> frozenset[str]:
    return frozenset(zone.key for i, zone in enumerate(zones) if mask & (1 << i))


def _mask(zones: Sequence[Zone], chosen: frozenset[str]) -> str:
    return f"{sum(1 << i for i, zone in enumerate(zones) if zone.key in chosen):x}"


def zone_picker(zones: Sequence[Zone], chosen: frozenset[str], language: str) -> Reply:
    mask = _mask(zones, chosen)
    rows = []
    for i, zone in enumerate(zones):
        label = (
            t("subscribe.zone_on", language, zone=zone.name) if zone.key in chosen else zone.name
        )
        rows.append([InlineKeyboardButton(label, callback_data=f"sz|t|{mask}|{i}")])
    rows.append(
        [InlineKeyboardButton(t("subscribe.button_done", language), callback_data=f"sz|d|{mask}")]
    )
    return Reply(
        t("subscribe.choose_zones", language), InlineKeyboardMarkup(rows), interactive=True
    )


def _zone_names(zones: Sequence[Zone], keys: Iterable[str]) -> str:
    wanted = set(keys)
    return ", ".join(zone.name for zone in zones if zone.key in wanted)


def subscribed(zones: Sequence[Zone], chosen: frozenset[str], language: str) -> Reply:
    return Reply(t("subscribe.done", language, zones=_zone_names(zones, chosen)))


def active_alerts(
    active: Sequence[Alert],
    subscription: Subscription | None,
    zones: Sequence[Zone],
    *,
    now: datetime,
    zone: ZoneInfo,
    language: str,
) -> Reply:
    whole_area = [z.key for z in zones if z.covers_all]
    if subscription is not None:
        active = [a for a in active if a.covers(subscription.zones, whole_area)]
    if not active:
        lines = [t("alerts.none", language)]
    else:
        lines = [t("alerts.title", language)]
        for alert in active:
            where = _zone_names(zones, alert.zones) or _zone_names(zones, whole_area)
            lines.append(
                t(
                    "alerts.item",
                    language,
                    text=alert.text,
                    zones=where,
                    until=_when(alert.expires_at, now, zone, language),
                )
            )
    if subscription is None:
        lines.append(t("alerts.not_subscribed_hint", language))
    return Reply(join(lines, "\n\n"))


# --- staff ------------------------------------------------------------------------------


def usage_figures(figures: UsageFigures, language: str) -> Reply:
    statuses = figures.venues_by_status
    lines = [
        t("stats.title", language),
        t(
            "stats.venues",
            language,
            active=statuses.get("active", 0),
            pending=statuses.get("pending", 0),
            suspended=statuses.get("suspended", 0),
        ),
        t("stats.subscribers", language, count=figures.subscribers),
        t("stats.alerts", language, active=figures.active_alerts, total=figures.alerts_total),
        t(
            "stats.staff",
            language,
            partnership=figures.partnership_staff,
            venue=figures.venue_staff,
        ),
    ]
    return Reply(join(lines))
