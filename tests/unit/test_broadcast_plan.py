"""Who an alert reaches, when (quiet hours), until when (expiry), and what it looks like:
the pure parts of broadcasting, with the deployment's real zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.render import broadcast as render
from bot.store.alerts import Audience, Priority, expiry_for
from bot.store.outbox import RecipientKind, draft_alert, plan_recipients, summarise
from bot.store.subscriptions import Subscription, quiet_hours_end
from venues.model import Point
from venues.partnership import Partnership, load_partnership

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
LONDON = ZoneInfo("Europe/London")
SATURDAY_2340 = datetime(2026, 11, 28, 23, 40, tzinfo=UTC)  # GMT: local = UTC
SOHO_SQUARE = Point(51.5155, -0.1322)
MAYFAIR = Point(51.5100, -0.1475)


@pytest.fixture(scope="module")
def partnership() -> Partnership:
    return load_partnership(DATA_DIR)


def _alert(audience: Audience, zones: list[str], priority: Priority = Priority.NORMAL):
    return draft_alert(
        text="Reports of drink spiking",
        audience=audience,
        zones=zones,
        priority=priority,
        created_by=9001,
        now=SATURDAY_2340,
        expires_at=SATURDAY_2340 + timedelta(hours=6),
    )


SUBSCRIBERS = [
    Subscription(1, ("soho",), "en"),
    Subscription(2, ("victoria",), "en"),
    Subscription(3, ("west_end",), "en"),  # the whole area: every alert
    Subscription(4, ("soho", "mayfair"), "en", "23:00", "07:00"),
]
VENUE_STAFF = {10: [101, 102], 20: [201, 1]}  # person 1 is staff of venue 20 too
VENUE_POINTS = {10: SOHO_SQUARE, 20: MAYFAIR}


def _plan(partnership: Partnership, alert, now: datetime = SATURDAY_2340):
    return plan_recipients(
        alert,
        subscribers=SUBSCRIBERS,
        venue_staff=VENUE_STAFF,
        venue_points=VENUE_POINTS,
        zones=partnership.zones,
        now=now,
        zone_info=LONDON,
    )


def test_plan_public_in_a_zone_reaches_its_subscribers_and_whole_area_ones(
    partnership: Partnership,
) -> None:
    recipients = _plan(partnership, _alert(Audience.PUBLIC, ["soho"]))
    assert [r.chat_id for r in recipients] == [1, 3, 4]
    assert {r.kind for r in recipients} == {RecipientKind.SUBSCRIBER}


def test_plan_everywhere_reaches_every_subscriber(partnership: Partnership) -> None:
    recipients = _plan(partnership, _alert(Audience.PUBLIC, []))
    assert [r.chat_id for r in recipients] == [1, 2, 3, 4]


def test_plan_venue_staff_are_placed_by_their_venue(partnership: Partnership) -> None:
    soho = _plan(partnership, _alert(Audience.VENUES, ["soho"]))
    assert [r.chat_id for r in soho] == [101, 102]
    assert {r.kind for r in soho} == {RecipientKind.VENUE_STAFF}
    victoria = _plan(partnership, _alert(Audience.VENUES, ["victoria"]))
    assert victoria == []
    everywhere = _plan(partnership, _alert(Audience.VENUES, []))
    assert [r.chat_id for r in everywhere] == [1, 101, 102, 201]


def test_plan_both_reaches_each_person_once(partnership: Partnership) -> None:
    recipients = _plan(partnership, _alert(Audience.BOTH, ["mayfair"]))
    assert [r.chat_id for r in recipients] == [1, 3, 4, 201]
    # Person 1 subscribes to Soho only but is staff at the Mayfair venue: reached as staff.
    assert next(r for r in recipients if r.chat_id == 1).kind is RecipientKind.VENUE_STAFF


def test_plan_quiet_hours_hold_normal_alerts_not_urgent_ones(partnership: Partnership) -> None:
    normal = {r.chat_id: r for r in _plan(partnership, _alert(Audience.PUBLIC, ["soho"]))}
    assert normal[4].not_before == datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    assert normal[1].not_before is None
    urgent = _plan(partnership, _alert(Audience.PUBLIC, ["soho"], Priority.URGENT))
    assert all(r.not_before is None for r in urgent)


def test_summary_counts_who_waits_and_who_misses_it(partnership: Partnership) -> None:
    recipients = _plan(partnership, _alert(Audience.BOTH, ["soho"]))
    summary = summarise(recipients, SATURDAY_2340 + timedelta(hours=12))
    assert (summary.subscribers, summary.venue_staff, summary.waiting, summary.missed) == (
        3,
        2,
        1,
        0,
    )
    short = summarise(recipients, SATURDAY_2340 + timedelta(hours=6))  # till 05:40
    assert (short.waiting, short.missed, short.reached) == (0, 1, 4)


@pytest.mark.parametrize(
    ("quiet", "local_now", "ends"),
    [
        (("23:00", "07:00"), datetime(2026, 11, 28, 23, 40), datetime(2026, 11, 29, 7, 0)),
        (("23:00", "07:00"), datetime(2026, 11, 29, 2, 0), datetime(2026, 11, 29, 7, 0)),
        (("23:00", "07:00"), datetime(2026, 11, 29, 7, 0), None),
        (("23:00", "07:00"), datetime(2026, 11, 28, 22, 59), None),
        (("01:00", "09:00"), datetime(2026, 11, 28, 23, 40), None),
        (("01:00", "09:00"), datetime(2026, 11, 29, 1, 0), datetime(2026, 11, 29, 9, 0)),
        (("03:00", "03:00"), datetime(2026, 11, 29, 3, 0), None),
        ((None, None), datetime(2026, 11, 29, 3, 0), None),
        # British Summer Time: 07:00 local is 06:00 UTC.
        (("23:00", "07:00"), datetime(2026, 6, 6, 23, 30), datetime(2026, 6, 7, 7, 0)),
    ],
)
def test_quiet_hours_end_in_local_time_across_midnight(
    quiet: tuple[str | None, str | None], local_now: datetime, ends: datetime | None
) -> None:
    now = local_now.replace(tzinfo=LONDON)
    found = quiet_hours_end(quiet[0], quiet[1], now, LONDON)
    assert found == (ends.replace(tzinfo=LONDON).astimezone(UTC) if ends else None)


def test_expiry_choices_in_hours_or_until_six_in_the_morning() -> None:
    assert expiry_for("2h", SATURDAY_2340, LONDON) == SATURDAY_2340 + timedelta(hours=2)
    assert expiry_for("24h", SATURDAY_2340, LONDON) == SATURDAY_2340 + timedelta(hours=24)
    assert expiry_for("0600", SATURDAY_2340, LONDON) == datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    early = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    assert expiry_for("0600", early, LONDON) == datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="unknown expiry"):
        expiry_for("7d", SATURDAY_2340, LONDON)


def test_alert_message_escapes_the_staff_text_and_says_where_and_until(
    partnership: Partnership,
) -> None:
    alert = _alert(Audience.PUBLIC, ["soho", "covent_garden"], Priority.URGENT)
    alert = draft_alert(
        text="Avoid <Old Compton St> & Dean St",
        audience=alert.audience,
        zones=alert.zones,
        priority=alert.priority,
        created_by=9001,
        now=SATURDAY_2340,
        expires_at=SATURDAY_2340 + timedelta(hours=6),
    )
    message = render.alert_message(
        alert,
        partnership="West End NightSafe",
        zones=partnership.zones,
        zone_info=LONDON,
        language="en",
    )
    assert message.startswith("🚨 <b>URGENT safety alert</b> · West End NightSafe")
    assert "Avoid &lt;Old Compton St&gt; &amp; Dean St" in message
    assert "📍 Soho, Covent Garden · until 05:40" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("bc|a|public", render.DraftButton("a", "public")),
        ("bc|z|3", render.DraftButton("z", "3")),
        ("bc|z|all", render.DraftButton("z", "all")),
        ("bc|e|0600", render.DraftButton("e", "0600")),
        ("bc|s|paid", render.DraftButton("s", "paid")),
        ("bc|x", render.DraftButton("x")),
        ("bc|a|everyone", None),
        ("bc|e|7d", None),
        ("bc|z|100", None),
        ("bc|s|free|extra", None),
        ("", None),
        (None, None),
    ],
)
def test_draft_buttons_are_parsed_strictly(
    data: str | None, expected: render.DraftButton | None
) -> None:
    assert render.parse_draft_button(data) == expected


def test_manage_and_quiet_buttons_are_parsed_strictly() -> None:
    assert render.parse_manage_button("bx|stop|12") == render.ManageButton("stop", 12)
    assert render.parse_manage_button("bx|acy|7") == render.ManageButton("acy", 7)
    assert render.parse_manage_button("bx|drop|7") is None
    assert render.parse_manage_button("bx|stop|-1") is None
    assert render.parse_quiet_button("sq|2300-0700") == render.QuietButton("23:00", "07:00")
    assert render.parse_quiet_button("sq|off") == render.QuietButton()
    assert render.parse_quiet_button("sq|1200-1300") is None  # not a range offered
    assert render.parse_quiet_button("sq|2300-07:00") is None
