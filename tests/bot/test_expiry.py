"""Accreditation expiry end to end: reminders 30 and 7 days before, once each, at the
job's local times (the clock is frozen and moved, never slept); an expired scheme leaves
the card, a venue with none left leaves the list, and staff and partnership are told
once; /accredit sets and renews dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot import expiry
from bot.expiry import ExpiryRun
from bot.local_api import LocalBotApiServer, SimulatedUser
from bot.store import accreditations
from tests.bot.nightsafe import NightSafe, running_nightsafe
from tests.bot.venue_flows import (
    ADMINS,
    SOHO_SQUARE,
    TRICKY_NAME,
    answer,
    audit_log,
    listed_venue,
    nearby_names,
    venue,
)
from venues.model import VenueStatus

LONDON = ZoneInfo("Europe/London")
PARTNERSHIP = "West End Night Safety Partnership (demo)"


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


async def _expires(bot: NightSafe, venue_id: int, scheme: str, last_day: date) -> None:
    async with bot.services.sessions() as session, session.begin():
        await accreditations.set_expiry(session, venue_id, scheme, last_day, bot.services.now())


async def _run(bot: NightSafe, moment: datetime, *, reminders: bool = True) -> ExpiryRun:
    bot.clock.now = moment
    return await expiry.check_accreditations(bot.application.bot, bot.services, reminders=reminders)


async def _opened(bot: NightSafe, user_id: int, name: str) -> SimulatedUser:
    user = bot.user(user_id, name)
    await user.send_command("/start")
    await user.next_reply()
    return user


async def test_expiry_jobs_run_daily_at_local_times(nightsafe: NightSafe) -> None:
    jobs = nightsafe.application.job_queue
    daily = jobs.get_jobs_by_name(expiry.JOB_NAME)
    midnight = jobs.get_jobs_by_name(expiry.MIDNIGHT_JOB_NAME)
    assert len(daily) == len(midnight) == 1
    assert daily[0].next_t.astimezone(LONDON).time() == time(9, 0)
    assert midnight[0].next_t.astimezone(LONDON).time() == time(0, 1)


async def test_expiry_reminds_at_30_and_7_days_once_each_then_unlists(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam = await _opened(bot, 9001, "Sam")
        vic = await _opened(bot, 2002, "Vic")
        venue_id = await listed_venue(bot, vic.id, hours="24/7")
        await _expires(bot, venue_id, "Ask for Angela", date(2026, 12, 31))
        assert await _run(bot, _at(date(2026, 11, 28))) == ExpiryRun()
        assert await _run(bot, _at(date(2026, 12, 1))) == ExpiryRun(reminders=1)
        assert (await vic.next_reply()).text == (
            f"📅 The Ask for Angela accreditation of {TRICKY_NAME} ends on 31/12/2026, in 30 "
            f"days. Renew it and ask {PARTNERSHIP} to update the date, so the venue stays listed."
        )
        assert await _run(bot, _at(date(2026, 12, 1), 18)) == ExpiryRun()  # once
        assert await _run(bot, _at(date(2026, 12, 2))) == ExpiryRun()
        assert await _run(bot, _at(date(2026, 12, 24))) == ExpiryRun(reminders=1)
        assert "in 7 days" in (await vic.next_reply()).text
        assert await _run(bot, _at(date(2026, 12, 25))) == ExpiryRun()
        assert await _run(bot, _at(date(2026, 12, 31), 23, 59)) == ExpiryRun()  # its last day
        assert TRICKY_NAME in await nearby_names(bot, vic, SOHO_SQUARE)
        # Just after midnight the day after: no longer shown; everyone told once.
        run = await _run(bot, _at(date(2027, 1, 1), 0, 1), reminders=False)
        assert run == ExpiryRun(expired=1, unlisted=1)
        assert (await vic.next_reply()).text == (
            f"⚠️ The Ask for Angela accreditation of {TRICKY_NAME} ended on 31/12/2026, so it "
            f"is no longer shown.\n\n{TRICKY_NAME} has no current accreditation left, so it "
            f"is no longer listed. Once renewed, ask {PARTNERSHIP} to update the date."
        )
        assert (await sam.next_reply()).text == (
            f"📅 {TRICKY_NAME} (venue {venue_id}): the Ask for Angela accreditation ended on "
            f"31/12/2026.\n\n{TRICKY_NAME} (venue {venue_id}) has no current accreditation left "
            f"and is no longer listed. /accredit {venue_id} to see it."
        )
        assert await _run(bot, _at(date(2027, 1, 1))) == ExpiryRun()
        stored = await venue(bot, venue_id)
        assert (stored.status, stored.schemes) == (VenueStatus.SUSPENDED, ())
        assert TRICKY_NAME not in await nearby_names(bot, vic, SOHO_SQUARE)
        await vic.send_command("/start", f"venue_{venue_id}")
        assert "is not currently listed" in (await vic.next_reply()).text
        assert [e.action for e in await audit_log(bot)] == ["accreditation_expired"]


async def test_expiry_close_to_the_date_sends_only_the_nearest_reminder(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url) as bot:
        vic = await _opened(bot, 2002, "Vic")
        venue_id = await listed_venue(bot, vic.id)
        await _expires(bot, venue_id, "Ask for Angela", date(2026, 12, 3))
        assert await _run(bot, _at(date(2026, 11, 28))) == ExpiryRun(reminders=1)
        assert "in 5 days" in (await vic.next_reply()).text
        assert await _run(bot, _at(date(2026, 11, 29))) == ExpiryRun()


async def test_expiry_of_one_scheme_leaves_the_others_listed(nightsafe: NightSafe) -> None:
    venue_id = await listed_venue(nightsafe, None, schemes=("Ask for Angela", "Best Bar None"))
    await _expires(nightsafe, venue_id, "Best Bar None", date(2026, 11, 27))
    pat = nightsafe.user(3003, "Pat")
    # Before the job runs, the card already leaves the lapsed scheme off.
    await pat.send_command("/start", f"venue_{venue_id}")
    _, card = await pat.next_replies(2)
    assert "🏅 Ask for Angela\n" in card.text
    assert "Best Bar None" not in card.text
    assert await _run(nightsafe, _at(date(2026, 11, 28), 23, 45)) == ExpiryRun(expired=1)
    assert (await venue(nightsafe, venue_id)).schemes == ("Ask for Angela",)
    assert TRICKY_NAME in await nearby_names(nightsafe, pat, SOHO_SQUARE)


async def test_accredit_sets_renews_and_lists_again(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam = await _opened(bot, 9001, "Sam")
        venue_id = await listed_venue(bot, None)
        await _expires(bot, venue_id, "Ask for Angela", date(2026, 11, 27))
        await _run(bot, _at(date(2026, 11, 28), 23, 40))
        await sam.next_reply()  # told it expired
        listing = await answer(sam, f"/accredit {venue_id}")
        assert listing.text == (
            f"🏅 {TRICKY_NAME} (venue {venue_id}) · ⛔ Not listed at the moment: please contact "
            "the partnership\n• Ask for Angela: expired 27/11/2026"
        )
        renewed = await answer(sam, f"/accredit {venue_id} Ask for Angela 30/06/2027")
        assert renewed.text == (
            f"✅ Ask for Angela for {TRICKY_NAME}: until 30/06/2027.\n"
            f"🟢 {TRICKY_NAME} is listed again."
        )
        assert TRICKY_NAME in await nearby_names(bot, sam, SOHO_SQUARE)
        stored = await venue(bot, venue_id)
        assert (stored.status, stored.schemes) == (VenueStatus.ACTIVE, ("Ask for Angela",))
        added = await answer(sam, f"/accredit {venue_id} wave none")
        assert added.text == f"✅ WAVE for {TRICKY_NAME}: no expiry date."
        assert (await venue(bot, venue_id)).schemes == ("Ask for Angela", "WAVE")
        for command, said in [
            (f"/accredit {venue_id} wave 31/02/2027", "I couldn't read that date."),
            (f"/accredit {venue_id} kindness 2027-01-01", "kindness isn't one of"),
            ("/accredit 424242", "There is no venue 424242."),
            ("/accredit", "Send /accredit VENUE_ID to see"),
        ]:
            assert (await answer(sam, command)).text.startswith(said)
        actions = [e.action for e in reversed(await audit_log(bot))]
        assert actions == ["accreditation_expired", "set_expiry", "set_expiry"]


async def test_accredit_is_for_partnership_staff_only(nightsafe: NightSafe) -> None:
    venue_id = await listed_venue(nightsafe, 1001)  # even the venue's own staff
    alex = nightsafe.user()
    said = await answer(alex, f"/accredit {venue_id} wave 30/06/2027")
    assert said.text == "🔒 That's for partnership staff only."
    assert (await venue(nightsafe, venue_id)).schemes == ("Ask for Angela",)
    assert await audit_log(nightsafe) == []
