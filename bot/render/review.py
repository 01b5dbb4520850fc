"""What partnership review shows: review cards (waiting, or decided and by whom), the
/pending list, what applicants are told, and a venue's accreditations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply
from bot.render.registration import VenueDetails, details_lines
from bot.store.accreditations import Accreditation
from bot.store.applications import Application, Purpose, Status
from bot.texts import Html, join, t
from bot.venue_input import shown_date
from venues.model import Venue, VenueKind, VenueStatus

PREFIX = "rv"
_DATA = re.compile(r"^rv\|(?P<action>[ar])\|(?P<id>[1-9]\d{0,8})$")


def approve_data(application_id: int) -> str:
    return f"{PREFIX}|a|{application_id}"


def reject_data(application_id: int) -> str:
    return f"{PREFIX}|r|{application_id}"


def decode(value: str | None, action: str) -> int | None:
    """The application id of an Approve ("a") or Reject ("r") button; None if forged."""
    match = _DATA.match(value or "")
    if not match or match["action"] != action:
        return None
    return int(match["id"])


def when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    local = moment.astimezone(zone)
    return f"{t(f'weekday.{local.weekday()}', language)} {local:%d/%m/%Y %H:%M}"


# --- review cards ------------------------------------------------------------------------


def _change_details(venue: Venue, change: dict[str, object]) -> VenueDetails:
    return VenueDetails(
        name=venue.name,
        kind=VenueKind(str(change.get("kind", venue.kind))),
        address=str(change.get("address", venue.address)),
        latitude=float(str(change.get("latitude", venue.latitude))),
        longitude=float(str(change.get("longitude", venue.longitude))),
    )


def _where_only(venue: Venue) -> VenueDetails:
    return VenueDetails(
        name=venue.name,
        kind=venue.kind,
        address=venue.address,
        latitude=venue.latitude,
        longitude=venue.longitude,
    )


def _body(
    application: Application,
    venue: Venue,
    expiries: dict[str, date | None],
    zone: ZoneInfo,
    language: str,
) -> list[Html]:
    if application.purpose is Purpose.NEW:
        lines = [
            t("review.card_new", language, application=application.id),
            join(details_lines(VenueDetails.of(venue, expiries), language)),
        ]
    else:
        lines = [
            t("review.card_change", language, application=application.id),
            t(
                "review.change_from",
                language,
                details=join(details_lines(_where_only(venue), language)),
            ),
            t(
                "review.change_to",
                language,
                details=join(details_lines(_change_details(venue, application.change), language)),
            ),
        ]
    if application.applicant_name is not None:
        lines.append(
            t(
                "review.applicant",
                language,
                name=application.applicant_name,
                role=application.applicant_role or "",
            )
        )
    else:
        lines.append(t("review.applicant_forgotten", language))
    lines.append(
        t("review.submitted", language, when=when(application.submitted_at, zone, language))
    )
    return lines


def decision_line(application: Application, zone: ZoneInfo, language: str) -> Html | None:
    if application.status is Status.PENDING or application.reviewed_at is None:
        return None
    reviewer = application.reviewer_name or str(application.reviewed_by)
    moment = when(application.reviewed_at, zone, language)
    if application.status is Status.APPROVED:
        return t("review.decided.approved", language, reviewer=reviewer, when=moment)
    return t(
        "review.decided.rejected",
        language,
        reviewer=reviewer,
        when=moment,
        reason=application.reason or "",
    )


def review_card(
    application: Application,
    venue: Venue,
    expiries: dict[str, date | None],
    *,
    zone: ZoneInfo,
    language: str,
) -> Reply:
    """The card: Approve / Reject while waiting; who decided, and how, once decided."""
    lines = _body(application, venue, expiries, zone, language)
    decided = decision_line(application, zone, language)
    if decided is not None:
        return Reply(join([*lines, decided], "\n\n"))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("review.button.approve", language), callback_data=approve_data(application.id)
                ),
                InlineKeyboardButton(
                    t("review.button.reject", language), callback_data=reject_data(application.id)
                ),
            ]
        ]
    )
    return Reply(join(lines, "\n\n"), keyboard)


def already_decided(application: Application, language: str, *, approving: bool) -> Html:
    """The answer to a press on something decided already (by someone else, or twice)."""
    reviewer = application.reviewer_name or str(application.reviewed_by)
    if application.status is Status.APPROVED:
        return t("review.answer.already_approved", language, reviewer=reviewer)
    key = "review.answer.already_rejected" if approving else "review.answer.already_rejected_plain"
    return t(key, language, reviewer=reviewer)


def decided_meanwhile(application: Application, language: str) -> Reply:
    reviewer = application.reviewer_name or str(application.reviewed_by)
    decision = t(f"review.status.{application.status.value}", language, reviewer=reviewer)
    return Reply(t("review.already_decided_reason", language, decision=decision))


def pending_header(count: int, language: str) -> Reply:
    if count == 0:
        return Reply(t("review.pending_none", language))
    return Reply(t("review.pending_title", language, count=count))


def pending_more(count: int, language: str) -> Reply:
    return Reply(t("review.pending_more", language, count=count))


# --- what the applicant is told ------------------------------------------------------------


def applicant_approved(application: Application, venue: Venue, partnership: str) -> Reply:
    key = (
        "review.applicant_approved"
        if application.purpose is Purpose.NEW
        else "review.applicant_change_approved"
    )
    return Reply(t(key, None, name=venue.name, partnership=partnership))


def applicant_rejected(application: Application, venue: Venue, partnership: str) -> Reply:
    key = (
        "review.applicant_rejected"
        if application.purpose is Purpose.NEW
        else "review.applicant_change_rejected"
    )
    return Reply(
        t(key, None, name=venue.name, partnership=partnership, reason=application.reason or "")
    )


def poster_caption(venue: Venue, link: str) -> Html:
    return t("poster.caption", None, name=venue.name, link=link)


# --- accreditations ----------------------------------------------------------------------


def listing(status: VenueStatus, language: str) -> Html:
    return t(f"myvenue.listing.{status.value}", language)


def accreditation_until(accreditation: Accreditation | None, today: date, language: str) -> Html:
    if accreditation is None or accreditation.expires_on is None:
        return t("accredit.no_expiry", language)
    key = "accredit.until" if accreditation.is_current(today) else "accredit.expired"
    return t(key, language, date=shown_date(accreditation.expires_on))


def accreditations(
    venue: Venue, recorded: Sequence[Accreditation], today: date, language: str
) -> Reply:
    """A venue's schemes (shown and expired) and until when each runs."""
    by_scheme = {a.scheme: a for a in recorded}
    schemes = list(dict.fromkeys([*venue.schemes, *by_scheme]))
    lines = [
        t(
            "accredit.title",
            language,
            name=venue.name,
            venue=venue.id,
            status=listing(venue.status, language),
        )
    ]
    if not schemes:
        lines.append(t("accredit.none", language))
    for scheme in schemes:
        until = accreditation_until(by_scheme.get(scheme), today, language)
        lines.append(t("accredit.line", language, scheme=scheme, until=until))
    return Reply(join(lines))
