"""What safety alerts look like: to recipients, and to the staff who send them.

`alert_message` is the one rendering of an alert; the staff's preview and the
delivery worker both call it, so the preview is exactly what people receive.
Callback data of the broadcast buttons is made and parsed here, strictly: anyone
can forge a button press, so a parser returns None for anything it did not make.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply
from bot.store.alerts import EXPIRY_CHOICES, Alert, Audience, Priority
from bot.store.outbox import Broadcast, BroadcastStatus, OutboxState, PlanSummary
from bot.texts import Html, escape, join, t
from venues.partnership import Zone

EXCERPT_CHARS = 80
ALERT_MAX_CHARS = 1000  # the rendered message stays far below Telegram's 4096
QUIET_CHOICES = ("23:00-07:00", "00:00-08:00", "01:00-09:00", "03:00-11:00")


# --- callback data ---------------------------------------------------------------------

_DRAFT = re.compile(
    r"^bc\|(?:(?P<step>[apes])\|(?P<choice>[a-z0-9]{1,8})|z\|(?P<zone>all|ok|\d{1,2})|(?P<x>x))$"
)
_MANAGE = re.compile(r"^bx\|(?P<action>stop|ac|acy)\|(?P<alert>\d{1,12})$")
_QUIET = re.compile(r"^sq\|(?:(?P<off>off)|(?P<a>\d{4})-(?P<b>\d{4}))$")


@dataclass(frozen=True, slots=True)
class DraftButton:
    """A button of the /broadcast chat: a step's choice, a zone toggle, or cancel."""

    step: str  # a: audience, z: zones, p: priority, e: expiry, s: send, x: cancel
    choice: str = ""


def parse_draft_button(data: str | None) -> DraftButton | None:
    match = _DRAFT.match(data or "")
    if not match:
        return None
    if match["x"]:
        return DraftButton("x")
    if match["zone"] is not None:
        return DraftButton("z", match["zone"])
    step, choice = match["step"], match["choice"]
    valid = {
        "a": {a.value for a in Audience},
        "p": {p.value for p in Priority},
        "e": set(EXPIRY_CHOICES),
        "s": {"free", "paid"},
    }[step]
    return DraftButton(step, choice) if choice in valid else None


@dataclass(frozen=True, slots=True)
class ManageButton:
    action: str  # stop: cancel sending; ac: ask about an all clear; acy: send it
    alert_id: int


def parse_manage_button(data: str | None) -> ManageButton | None:
    match = _MANAGE.match(data or "")
    return ManageButton(match["action"], int(match["alert"])) if match else None


@dataclass(frozen=True, slots=True)
class QuietButton:
    """Quiet hours chosen: local "HH:MM" both ends, or neither (no quiet hours)."""

    start: str | None = None
    end: str | None = None


def parse_quiet_button(data: str | None) -> QuietButton | None:
    match = _QUIET.match(data or "")
    if not match:
        return None
    if match["off"]:
        return QuietButton()
    start, end = f"{match['a'][:2]}:{match['a'][2:]}", f"{match['b'][:2]}:{match['b'][2:]}"
    return QuietButton(start, end) if f"{start}-{end}" in QUIET_CHOICES else None


# --- what recipients see ----------------------------------------------------------------


def offered_zones(zones: Sequence[Zone]) -> list[Zone]:
    """The zones staff pick from: "everywhere" is its own button, so not the whole-area zone."""
    return [zone for zone in zones if not zone.covers_all]


def zone_names(zones: Sequence[Zone], keys: Sequence[str], language: str) -> str:
    wanted = set(keys)
    names = [zone.name for zone in zones if zone.key in wanted]
    return ", ".join(names) if names else t("broadcast.everywhere", language)


def _until(moment: datetime, now: datetime, zone_info: ZoneInfo, language: str) -> str:
    local = moment.astimezone(zone_info)
    if moment - now >= timedelta(hours=20):
        return f"{t(f'weekday.{local.weekday()}', language)} {local:%H:%M}"
    return f"{local:%H:%M}"


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def alert_message(
    alert: Alert,
    *,
    partnership: str,
    zones: Sequence[Zone],
    zone_info: ZoneInfo,
    language: str,
    discreet: bool = False,
) -> Html:
    """The message a recipient gets, exactly (the staff's text escaped, as written).
    In discreet mode a neutral first line comes before it: that line is what a
    notification on a locked screen shows."""
    message = _alert_body(
        alert, partnership=partnership, zones=zones, zone_info=zone_info, language=language
    )
    if not discreet:
        return message
    return join([t("discreet.alert_heading", language), message], "\n\n")


def _alert_body(
    alert: Alert,
    *,
    partnership: str,
    zones: Sequence[Zone],
    zone_info: ZoneInfo,
    language: str,
) -> Html:
    if alert.is_all_clear:
        return t(
            "broadcast.message.all_clear",
            language,
            partnership=partnership,
            excerpt=excerpt(alert.text),
        )
    header = "header_urgent" if alert.priority is Priority.URGENT else "header"
    where = t(
        "broadcast.message.where",
        language,
        zones=zone_names(zones, alert.zones, language),
        until=_until(alert.expires_at, alert.created_at, zone_info, language),
    )
    return join(
        [
            t(f"broadcast.message.{header}", language, partnership=partnership),
            escape(alert.text.strip()),
            where,
            t("broadcast.message.footer", language),
        ],
        "\n\n",
    )


# --- the staff's chat ----------------------------------------------------------------------


def _keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def ask_text(limit: int, language: str) -> Reply:
    return Reply(t("broadcast.ask_text", language, limit=limit))


def text_too_long(length: int, limit: int, language: str) -> Reply:
    return Reply(t("broadcast.text_too_long", language, length=length, limit=limit))


def preview(message: Html, language: str) -> list[Reply]:
    return [Reply(t("broadcast.preview", language)), Reply(message)]


def answered(question: Reply, choice: str, language: str) -> Reply:
    """A question once answered: the choice shown, the buttons gone."""
    return Reply(t("broadcast.answered", language, question=question.text, choice=choice))


def audience_question(language: str) -> Reply:
    rows = [[(t(f"broadcast.audience.{a.value}", language), f"bc|a|{a.value}")] for a in Audience]
    return Reply(t("broadcast.ask_audience", language), _keyboard(rows))


def zone_question(zones: Sequence[Zone], chosen: Sequence[str], language: str) -> Reply:
    rows = [[(t("broadcast.zones.everywhere", language), "bc|z|all")]]
    offered = offered_zones(zones)
    pairs = []
    for index, zone in enumerate(offered):
        label = (
            t("broadcast.zones.on", language, zone=zone.name) if zone.key in chosen else zone.name
        )
        pairs.append((str(label), f"bc|z|{index}"))
    rows.extend(pairs[i : i + 2] for i in range(0, len(pairs), 2))
    rows.append([(t("broadcast.zones.done", language), "bc|z|ok")])
    return Reply(t("broadcast.ask_zones", language), _keyboard(rows))


def priority_question(language: str) -> Reply:
    row = [(t(f"broadcast.priority.{p.value}", language), f"bc|p|{p.value}") for p in Priority]
    return Reply(t("broadcast.ask_priority", language), _keyboard([row]))


def expiry_question(language: str) -> Reply:
    pairs = [
        (t(f"broadcast.expiry.{choice}", language), f"bc|e|{choice}") for choice in EXPIRY_CHOICES
    ]
    return Reply(t("broadcast.ask_expiry", language), _keyboard([pairs[:2], pairs[2:]]))


@dataclass(frozen=True, slots=True)
class PaidEstimate:
    stars: float
    left: float
    budget: float

    @property
    def affordable(self) -> bool:
        return self.stars <= self.left


def stars(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def confirmation(
    alert: Alert,
    summary: PlanSummary,
    *,
    zones: Sequence[Zone],
    zone_info: ZoneInfo,
    channel: str | None,
    paid: PaidEstimate | None,
    language: str,
) -> Reply:
    lines = [
        t(
            "broadcast.confirm",
            language,
            audience=t(f"broadcast.audience.{alert.audience.value}", language),
            zones=zone_names(zones, alert.zones, language),
            priority=t(f"broadcast.priority.{alert.priority.value}", language),
            until=_until(alert.expires_at, alert.created_at, zone_info, language),
            people=summary.reached,
            subscribers=summary.subscribers,
            venue_staff=summary.venue_staff,
        )
    ]
    if summary.waiting:
        lines.append(t("broadcast.confirm_waiting", language, waiting=summary.waiting))
    if summary.missed:
        lines.append(t("broadcast.confirm_missed", language, missed=summary.missed))
    if summary.people == 0:
        lines.append(t("broadcast.confirm_nobody", language))
    if channel and alert.reaches_public():
        lines.append(t("broadcast.confirm_channel", language, channel=channel))
    buttons = [(t("broadcast.button.send", language), "bc|s|free")]
    if paid is not None:
        lines.append(
            t("broadcast.confirm_paid", language, stars=stars(paid.stars), left=stars(paid.left))
        )
        buttons.append((t("broadcast.button.send_paid", language), "bc|s|paid"))
    rows = [buttons, [(t("broadcast.button.cancel", language), "bc|x")]]
    return Reply(join(lines, "\n\n"), _keyboard(rows))


def paid_refused(estimate: PaidEstimate, language: str) -> Reply:
    return Reply(
        t(
            "broadcast.paid_refused",
            language,
            stars=stars(estimate.stars),
            left=stars(estimate.left),
            budget=stars(estimate.budget),
        )
    )


def _stop_keyboard(alert_id: int, language: str) -> InlineKeyboardMarkup:
    return _keyboard([[(t("broadcast.button.stop", language), f"bx|stop|{alert_id}")]])


def _all_clear_keyboard(alert_id: int, language: str) -> InlineKeyboardMarkup:
    label = t("broadcast.button.all_clear", language, number=alert_id)
    return _keyboard([[(label, f"bx|ac|{alert_id}")]])


def progress(broadcast: Broadcast, language: str) -> Reply:
    """The staff's progress message while sending, and its last state after."""
    counts, number = broadcast.counts, broadcast.alert.id
    if broadcast.status is BroadcastStatus.CANCELLED:
        return Reply(t("broadcast.progress_cancelled", language, number=number))
    if broadcast.finished_at is not None:
        delivered = counts.of(OutboxState.DELIVERED)
        return Reply(t("broadcast.progress_finished", language, number=number, delivered=delivered))
    lines = [
        t(
            "broadcast.progress",
            language,
            number=number,
            handled=counts.handled,
            total=counts.total - counts.waiting,
            delivered=counts.of(OutboxState.DELIVERED),
            blocked=counts.of(OutboxState.BLOCKED),
            failed=counts.of(OutboxState.FAILED) + counts.of(OutboxState.NOT_FOUND),
        )
    ]
    if counts.waiting:
        lines.append(t("broadcast.progress_waiting", language, waiting=counts.waiting))
    return Reply(join(lines), _stop_keyboard(number, language))


def sending_started(alert_id: int, total: int, language: str) -> Reply:
    """The confirmation, once Send is pressed, becomes the progress message."""
    text = t(
        "broadcast.progress",
        language,
        number=alert_id,
        handled=0,
        total=total,
        delivered=0,
        blocked=0,
        failed=0,
    )
    return Reply(text, _stop_keyboard(alert_id, language))


def duration(elapsed: timedelta, language: str) -> Html:
    seconds = max(elapsed.total_seconds(), 0.0)
    if seconds < 60:
        return t("broadcast.duration_seconds", language, seconds=f"{seconds:.1f}")
    minutes, rest = divmod(round(seconds), 60)
    return t("broadcast.duration_minutes", language, minutes=minutes, seconds=rest)


def _channel_state(state: OutboxState, language: str) -> Html:
    known = (OutboxState.DELIVERED, OutboxState.PENDING, OutboxState.SENDING)
    return t(f"broadcast.channel.{state.value if state in known else 'other'}", language)


def report(broadcast: Broadcast, language: str) -> Reply:
    counts, number = broadcast.counts, broadcast.alert.id
    elapsed = timedelta(0)
    if broadcast.started_at and broadcast.finished_at:
        elapsed = broadcast.finished_at - broadcast.started_at
    lines = [
        t(
            "broadcast.report",
            language,
            number=number,
            delivered=counts.of(OutboxState.DELIVERED),
            blocked=counts.of(OutboxState.BLOCKED),
            failed=counts.of(OutboxState.FAILED),
            ambiguous=counts.of(OutboxState.AMBIGUOUS),
            duration=duration(elapsed, language),
        )
    ]
    optional = (
        ("broadcast.report_not_found", counts.of(OutboxState.NOT_FOUND)),
        ("broadcast.report_waiting", counts.waiting),
        ("broadcast.report_skipped", counts.of(OutboxState.SKIPPED)),
        ("broadcast.report_cancelled", counts.of(OutboxState.CANCELLED)),
    )
    lines.extend(t(key, language, count=count) for key, count in optional if count)
    if counts.channel is not None:
        lines.append(
            t("broadcast.report_channel", language, state=_channel_state(counts.channel, language))
        )
    keyboard = None
    if not broadcast.alert.is_all_clear and counts.of(OutboxState.DELIVERED):
        keyboard = _all_clear_keyboard(number, language)
    return Reply(join(lines), keyboard)


def stopped(alert_id: int, dropped: int, language: str) -> Reply:
    return Reply(t("broadcast.stopped", language, number=alert_id, dropped=dropped))


def all_clear_question(alert_id: int, people: int, language: str) -> Reply:
    rows = [
        [(t("broadcast.button.all_clear_send", language), f"bx|acy|{alert_id}")],
    ]
    text = t("broadcast.all_clear_confirm", language, number=alert_id, people=people)
    return Reply(text, _keyboard(rows))


def _status(broadcast: Broadcast, language: str) -> Html:
    if broadcast.alert.is_all_clear:
        return t("broadcast.status.all_clear", language, number=broadcast.alert.follows_alert_id)
    return t(f"broadcast.status.{broadcast.status.value}", language)


def broadcast_list(broadcasts: Sequence[Broadcast], *, zone_info: ZoneInfo, language: str) -> Reply:
    if not broadcasts:
        return Reply(t("broadcast.list_none", language))
    items, rows = [t("broadcast.list_title", language)], []
    for broadcast in broadcasts:
        alert, counts = broadcast.alert, broadcast.counts
        figures = t(
            "broadcast.list_figures",
            language,
            delivered=counts.of(OutboxState.DELIVERED),
            total=counts.total,
            blocked=counts.of(OutboxState.BLOCKED),
            failed=counts.of(OutboxState.FAILED) + counts.of(OutboxState.NOT_FOUND),
        )
        local = alert.created_at.astimezone(zone_info)
        when = f"{t(f'weekday.{local.weekday()}', language)} {local:%H:%M}"
        items.append(
            t(
                "broadcast.list_item",
                language,
                number=alert.id,
                when=when,
                status=_status(broadcast, language),
                excerpt=excerpt(alert.text),
                figures=figures,
            )
        )
        if broadcast.status is BroadcastStatus.SENDING or (
            broadcast.status is BroadcastStatus.DONE and counts.waiting
        ):
            rows.append(
                [(t("broadcast.button.stop", language) + f" #{alert.id}", f"bx|stop|{alert.id}")]
            )
        elif (
            not alert.is_all_clear
            and not broadcast.has_all_clear
            and counts.of(OutboxState.DELIVERED)
        ):
            label = t("broadcast.button.all_clear", language, number=alert.id)
            rows.append([(str(label), f"bx|ac|{alert.id}")])
    return Reply(join(items, "\n\n"), _keyboard(rows) if rows else None)


# --- subscribers' quiet hours ------------------------------------------------------------------


def quiet_hours_keyboard(language: str) -> InlineKeyboardMarkup:
    pairs = []
    for choice in QUIET_CHOICES:
        start, end = choice.split("-")
        label = t("quiet.range", language, start=start, end=end)
        pairs.append((str(label), f"sq|{start.replace(':', '')}-{end.replace(':', '')}"))
    rows = [pairs[:2], pairs[2:], [(t("quiet.off", language), "sq|off")]]
    return _keyboard(rows)


def subscribed_with_quiet_question(subscribed: Reply, language: str) -> Reply:
    return Reply(
        join([subscribed.text, t("quiet.ask", language)], "\n\n"), quiet_hours_keyboard(language)
    )


def quiet_hours_set(subscribed: Reply, quiet: QuietButton, language: str) -> Reply:
    if quiet.start is None:
        line = t("quiet.cleared", language)
    else:
        line = t("quiet.set", language, start=quiet.start, end=quiet.end)
    return Reply(join([subscribed.text, line], "\n\n"))
