"""Problem reports end to end: the guided report from a venue card (never a location),
the partnership's view per venue, suspending and listing again, forged presses, and
/forget deleting what a person told us."""

from __future__ import annotations

from sqlalchemy import inspect, select

from bot.local_api import LocalBotApiServer, SimulatedUser
from bot.local_api.state import ChatMessage
from bot.models import VenueApplicationRow, VenueReportRow
from bot.store import roles
from tests.bot.nightsafe import NightSafe, running_nightsafe
from tests.bot.venue_flows import (
    ADMINS,
    SOHO_SQUARE,
    TRICKY_NAME,
    answer,
    audit_log,
    listed_venue,
    nearby_names,
    press,
    register,
)

WORDS = 'The door staff <b>laughed</b> & ignored us "twice"'


async def _report(user: SimulatedUser, venue_id: int, category: str, words: str | None) -> str:
    """A whole report from the venue's card; returns the last thing the bot said."""
    await user.send_command("/start", f"venue_{venue_id}")
    await user.next_replies(2)
    await press(user, "⚠️ Report a problem with this place")
    await press(user, category)
    if words is None:
        return (await press(user, "Send without words")).text or ""
    return (await answer(user, words)).text or ""


def _buttons_now(user: SimulatedUser, message: ChatMessage) -> list[list[str]]:
    return user.chat.messages[message.message_id].buttons


async def _opened(bot: NightSafe, user_id: int, name: str) -> SimulatedUser:
    user = bot.user(user_id, name)
    await user.send_command("/start")
    await user.next_reply()
    return user


async def test_report_from_the_card_is_queued_with_words_and_no_location(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam = await _opened(bot, 9001, "Sam")
        venue_id = await listed_venue(bot, None)
        pat = bot.user(3003, "Pat")
        await pat.send_command("/start", f"venue_{venue_id}")
        _, card = await pat.next_replies(2)
        assert card.buttons[-1] == ["⚠️ Report a problem with this place"]
        asked = await press(pat, "⚠️ Report a problem with this place")
        assert asked.text == f"What's wrong with {TRICKY_NAME}?\n(In danger now? Call 999.)"
        assert asked.buttons == [
            ["Closed when it should be open"],
            ["Staff did not help"],
            ["Not a safe place"],
            ["Something else"],
        ]
        words = await press(pat, "Not a safe place")
        assert words.text.startswith("In your own words, what happened?")
        await pat.send_location(51.51234, -0.13456)  # not an answer, and never kept
        again = await pat.next_reply()
        assert again.text.startswith("Please keep it to words, at most 1000 characters.")
        thanks = await answer(pat, WORDS)
        assert thanks.text == (
            "🙏 Thank you. West End Night Safety Partnership (demo) will look into it. "
            "Where you are is never stored with a report."
        )
        notice = await sam.next_reply()
        assert notice.text == (
            f"⚠️ New report about {TRICKY_NAME} (venue {venue_id}): Not a safe place. "
            "Open reports for it: 1. /reports to see them."
        )
        async with bot.services.sessions() as session:
            rows = list(await session.scalars(select(VenueReportRow)))
        assert [(r.venue_id, r.reporter_user_id, r.category, r.words) for r in rows] == [
            (venue_id, 3003, "unsafe", WORDS)
        ]
        columns = {column.key for column in inspect(VenueReportRow).columns}
        assert not columns & {"latitude", "longitude", "location", "point"}


async def test_reports_staff_suspend_and_list_again_audited_and_told(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam = await _opened(bot, 9001, "Sam")
        vic = await _opened(bot, 2002, "Vic")
        venue_id = await listed_venue(bot, vic.id)
        pat = bot.user(3003, "Pat")
        await _report(pat, venue_id, "Staff did not help", WORDS)
        await _report(pat, venue_id, "Closed when it should be open", None)
        await sam.next_replies(2)  # the two notices
        await sam.send_command("/reports")
        listing = await sam.next_reply()
        assert listing.text == (
            f"⚠️ Open reports, most first:\n\n{TRICKY_NAME} (venue {venue_id}) · 🟢 Listed on "
            "NightSafe · 2: 1 × Closed when it should be open, 1 × Staff did not help"
        )
        view = await press(sam, f"{TRICKY_NAME} (2)")
        assert view.text.splitlines()[0] == (
            f"⚠️ Reports about {TRICKY_NAME} (venue {venue_id}) · 🟢 Listed on NightSafe"
        )
        assert f"   “{WORDS}”" in view.text
        assert view.buttons == [["⛔ Suspend the venue"], ["✔ Mark reports reviewed"]]
        query = await sam.press("⛔ Suspend the venue")
        assert (await sam.callback_answer(query))["text"] == (
            "Suspended: it is no longer shown, and its staff were told."
        )
        assert (await vic.next_reply()).text == (
            f"⛔ West End Night Safety Partnership (demo) has suspended {TRICKY_NAME} after "
            "reports from the public, so it is no longer shown. Please contact the partnership."
        )
        assert TRICKY_NAME not in await nearby_names(bot, pat, SOHO_SQUARE)
        await local_bot_api.wait_for(lambda _: ["🟢 List it again"] in _buttons_now(sam, view))
        query = await sam.press("🟢 List it again")
        assert (await sam.callback_answer(query))["text"] == "Listed again; its staff were told."
        assert (await vic.next_reply()).text == f"🟢 {TRICKY_NAME} is listed on NightSafe again."
        assert TRICKY_NAME in await nearby_names(bot, pat, SOHO_SQUARE)
        query = await sam.press("✔ Mark reports reviewed")
        assert (await sam.callback_answer(query))["text"] == "Marked as reviewed."
        await sam.send_command("/reports")
        assert (await sam.next_reply()).text == "✅ No open reports."
        actions = [(e.actor_id, e.action) for e in reversed(await audit_log(bot))]
        assert actions == [(9001, "suspend"), (9001, "reinstate"), (9001, "reports_reviewed")]


async def test_reports_forged_staff_buttons_change_nothing(nightsafe: NightSafe) -> None:
    venue_id = await listed_venue(nightsafe, None)
    pat = nightsafe.user(3003, "Pat")
    await _report(pat, venue_id, "Something else", None)
    for data in (f"rs|s|{venue_id}", f"rs|d|{venue_id}", f"rs|v|{venue_id}"):
        query = await pat.press(data=data, message_id=1)
        assert (await pat.callback_answer(query))["text"] == "🔒 That's for partnership staff only."
    await pat.send_command("/reports")
    assert (await pat.next_reply()).text == "🔒 That's for partnership staff only."
    assert TRICKY_NAME in await nearby_names(nightsafe, pat, SOHO_SQUARE)
    assert await audit_log(nightsafe) == []


async def test_report_cancelled_or_over_the_daily_limit_keeps_nothing(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_REPORTS_PER_DAY="1") as bot:
        venue_id = await listed_venue(bot, None)
        pat = bot.user(3003, "Pat")
        await pat.send_command("/start", f"venue_{venue_id}")
        await pat.next_replies(2)
        await press(pat, "⚠️ Report a problem with this place")
        await press(pat, "Not a safe place")
        await pat.send_command("/cancel")
        assert (await pat.next_reply()).text == "Report cancelled: nothing was sent."
        await _report(pat, venue_id, "Staff did not help", None)
        await pat.send_command("/start", f"venue_{venue_id}")
        await pat.next_replies(2)
        said = await press(pat, "⚠️ Report a problem with this place")
        assert said.text.startswith("You've sent several reports today")
        async with bot.services.sessions() as session:
            rows = list(await session.scalars(select(VenueReportRow)))
        assert [r.category for r in rows] == ["unhelpful"]


async def test_forget_deletes_reports_venue_links_and_applicant_details(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        alex = bot.user()
        done = await register(bot, alex)
        await listed_venue(bot, alex.id)
        other = await listed_venue(bot, None, name="Other Bar")
        await _report(alex, other, "Something else", "Too loud to hear anyone")
        await alex.send_command("/forget")
        await alex.next_reply()
        async with bot.services.sessions() as session:
            reports = list(await session.scalars(select(VenueReportRow)))
            application = await session.get(VenueApplicationRow, done.application_id)
            linked = await roles.venues_of(session, alex.id)
        assert reports == []
        assert linked == []
        assert application is not None
        assert (
            application.applicant_user_id,
            application.applicant_chat_id,
            application.applicant_name,
            application.applicant_role,
        ) == (None, None, None, None)
