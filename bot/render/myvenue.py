"""What venue staff see in /myvenue: each venue's card with tonight's buttons."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply, kind_badge, open_state
from bot.render.registration import hours_keyboard
from bot.render.review import when
from bot.texts import join, t
from venues.hours import OpenState
from venues.model import Venue

PREFIX = "mv"
OPEN, CLOSED, HOURS, CARD, MOVED, POSTER = "o", "c", "h", "p", "m", "q"
_DATA = re.compile(r"^mv\|(?P<action>[ochpmq])\|(?P<id>[1-9]\d{0,8})$")


def button_data(action: str, venue_id: int) -> str:
    return f"{PREFIX}|{action}|{venue_id}"


def decode(value: str | None) -> tuple[str, int] | None:
    """(action, venue id) of a /myvenue button; None for anything else."""
    match = _DATA.match(value or "")
    return (match["action"], int(match["id"])) if match else None


def pattern(action: str) -> str:
    return rf"^{PREFIX}\|{action}\|"


def venue_card(
    venue: Venue,
    state: OpenState,
    *,
    change_waiting: bool,
    now: datetime,
    zone: ZoneInfo,
    language: str,
) -> Reply:
    lines = [
        t(
            "myvenue.card",
            language,
            badge=kind_badge(venue.kind, language),
            name=venue.name,
            listing=t(f"myvenue.listing.{venue.status.value}", language),
            state=open_state(state, now, zone, language),
            hours=venue.opening_hours,
        )
    ]
    if change_waiting:
        lines.append(t("myvenue.change_waiting", language))

    def button(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(key, language), callback_data=button_data(action, venue.id))

    keyboard = InlineKeyboardMarkup(
        [
            [button("myvenue.button.open", OPEN), button("myvenue.button.closed", CLOSED)],
            [button("myvenue.button.hours", HOURS), button("myvenue.button.card", CARD)],
            [button("myvenue.button.moved", MOVED), button("myvenue.button.poster", POSTER)],
        ]
    )
    return Reply(join(lines), keyboard)


def closed(venue: Venue, until: datetime, zone: ZoneInfo, language: str) -> str:
    return t("myvenue.closed", language, name=venue.name, until=when(until, zone, language))


def opened(venue: Venue, language: str) -> str:
    return t("myvenue.opened", language, name=venue.name)


def ask_hours(venue: Venue, language: str, prefix: str) -> Reply:
    return Reply(
        t("myvenue.ask_hours", language, name=venue.name, hours=venue.opening_hours),
        hours_keyboard(language, prefix),
    )
