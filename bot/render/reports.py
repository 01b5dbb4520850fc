"""What problem reports show: the report button on venue cards, the short guided report,
and partnership staff's view of reports per venue with Suspend / List again."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply
from bot.render.registration import label
from bot.render.review import when
from bot.store.reports import Category, Report, VenueReports
from bot.texts import join, t
from venues.model import Venue, VenueStatus

START_PREFIX = "rp"  # the card's button: rp|<venue id>
STEP_PREFIX = "rq"  # buttons inside the report chat
STAFF_PREFIX = "rs"  # partnership staff: rs|<action>|<venue id>
VIEW, SUSPEND, REINSTATE, REVIEWED = "v", "s", "u", "d"
NO_WORDS = "w"

_START = re.compile(r"^rp\|(?P<id>[1-9]\d{0,8})$")
_CATEGORY = re.compile(r"^rq\|c\|(?P<category>[a-z]{1,12})$")
_STAFF = re.compile(r"^rs\|(?P<action>[vsud])\|(?P<id>[1-9]\d{0,8})$")
START_PATTERN = r"^rp\|"
CATEGORY_PATTERN = r"^rq\|c\|"
NO_WORDS_PATTERN = r"^rq\|w$"
STAFF_PATTERN = r"^rs\|"


def decode_start(value: str | None) -> int | None:
    match = _START.match(value or "")
    return int(match["id"]) if match else None


def decode_category(value: str | None) -> Category | None:
    match = _CATEGORY.match(value or "")
    if not match or match["category"] not in {c.value for c in Category}:
        return None
    return Category(match["category"])


def decode_staff(value: str | None) -> tuple[str, int] | None:
    match = _STAFF.match(value or "")
    return (match["action"], int(match["id"])) if match else None


def with_report_button(reply: Reply, venue_id: int, language: str) -> Reply:
    """A venue card with "Report a problem with this place" under its other buttons."""
    rows: list[Sequence[InlineKeyboardButton]] = []
    if isinstance(reply.keyboard, InlineKeyboardMarkup):
        rows.extend(reply.keyboard.inline_keyboard)
    rows.append(
        [InlineKeyboardButton(t("report.button", language), callback_data=f"rp|{venue_id}")]
    )
    return Reply(reply.text, InlineKeyboardMarkup(rows), reply.pin)


def category_question(venue: Venue, emergency_number: str, language: str) -> Reply:
    rows = [
        [
            InlineKeyboardButton(
                t(f"report.category.{category.value}", language),
                callback_data=f"{STEP_PREFIX}|c|{category.value}",
            )
        ]
        for category in Category
    ]
    text = t("report.ask_category", language, name=venue.name, emergency=emergency_number)
    return Reply(text, InlineKeyboardMarkup(rows))


def words_question(language: str) -> Reply:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("report.button.no_words", language), callback_data=f"{STEP_PREFIX}|w"
                )
            ]
        ]
    )
    return Reply(t("report.ask_words", language), keyboard)


def category_name(category: Category, language: str) -> str:
    return t(f"report.category.{category.value}", language)


def staff_notice(venue: Venue, category: Category, open_count: int) -> Reply:
    keyboard = InlineKeyboardMarkup(
        [
            [
                _staff_button(
                    label("reports.button.view", None, name=venue.name[:40], count=open_count),
                    VIEW,
                    venue.id,
                )
            ]
        ]
    )
    text = t(
        "report.staff_notice",
        None,
        name=venue.name,
        venue=venue.id,
        category=category_name(category, "en"),
        count=open_count,
    )
    return Reply(text, keyboard)


def _staff_button(label: str, action: str, venue_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"{STAFF_PREFIX}|{action}|{venue_id}")


def _categories(counts: Mapping[Category, int], language: str) -> str:
    return ", ".join(
        f"{counts[c]} × {category_name(c, language)}" for c in Category if counts.get(c)
    )


def open_reports(
    summaries: Sequence[VenueReports], venues: Mapping[int, Venue], language: str
) -> Reply:
    """/reports: venues with open reports, the most reported first, each with a button."""
    shown = [s for s in summaries if s.venue_id in venues]
    if not shown:
        return Reply(t("reports.none", language))
    lines = [t("reports.title", language)]
    rows = []
    for summary in shown:
        venue = venues[summary.venue_id]
        lines.append(
            t(
                "reports.venue_line",
                language,
                name=venue.name,
                venue=venue.id,
                listing=t(f"myvenue.listing.{venue.status.value}", language),
                count=summary.count,
                categories=_categories(summary.by_category, language),
            )
        )
        text = label("reports.button.view", language, name=venue.name[:40], count=summary.count)
        rows.append([_staff_button(text, VIEW, venue.id)])
    return Reply(join(lines, "\n\n"), InlineKeyboardMarkup(rows))


def venue_reports(
    venue: Venue,
    reports: Sequence[Report],
    *,
    reinstatable: bool,
    zone: ZoneInfo,
    language: str,
) -> Reply:
    """One venue's open reports, with what staff can do about them."""
    lines = [
        t(
            "reports.venue_title",
            language,
            name=venue.name,
            venue=venue.id,
            listing=t(f"myvenue.listing.{venue.status.value}", language),
        )
    ]
    for report in reports:
        moment = when(report.created_at, zone, language)
        category = category_name(report.category, language)
        if report.words:
            lines.append(
                t(
                    "reports.item_words",
                    language,
                    when=moment,
                    category=category,
                    words=report.words,
                )
            )
        else:
            lines.append(t("reports.item", language, when=moment, category=category))
    if not reports:
        lines.append(t("reports.none_open", language))
    buttons = []
    if venue.status is VenueStatus.ACTIVE:
        buttons.append(_staff_button(t("reports.button.suspend", language), SUSPEND, venue.id))
    elif reinstatable:
        buttons.append(_staff_button(t("reports.button.reinstate", language), REINSTATE, venue.id))
    if reports:
        buttons.append(_staff_button(t("reports.button.reviewed", language), REVIEWED, venue.id))
    keyboard = InlineKeyboardMarkup([[button] for button in buttons]) if buttons else None
    return Reply(join(lines, "\n\n"), keyboard)
