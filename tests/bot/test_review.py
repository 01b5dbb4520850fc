"""Partnership review end to end: cards to every member of staff, approve (listed at once,
applicant linked, told and sent the poster), reject with a reason, decisions that race or
repeat, and forged presses."""

from __future__ import annotations

import asyncio

from bot.local_api import LocalBotApiServer
from bot.store import applications, roles
from bot.store.applications import Status
from tests.bot.nightsafe import NightSafe, running_nightsafe
from tests.bot.venue_flows import (
    ADMINS,
    SOHO_SQUARE,
    TRICKY_NAME,
    answer,
    audit_log,
    nearby_names,
    register,
    venue,
)
from venues.model import VenueStatus

STAFF_ONLY = "🔒 That's for partnership staff only."


async def _staff(bot: NightSafe) -> tuple:
    """Both members of staff, having opened the bot (so it can message them)."""
    sam, kim = bot.user(9001, "Sam"), bot.user(9002, "Kim")
    for member in (sam, kim):
        await member.send_command("/start")
        await member.next_reply()
    return sam, kim


async def test_review_approve_lists_at_once_links_tells_and_sends_the_poster(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, kim = await _staff(bot)
        alex = bot.user()
        done = await register(bot, alex)
        cards = [await sam.next_reply(), await kim.next_reply()]
        for card in cards:
            assert card.text.startswith(
                f"🆕 New venue to review · application {done.application_id}"
            )
            assert f"🏷 {TRICKY_NAME}" in card.text
            assert "👤 Alex Smith, Manager" in card.text
            assert card.buttons == [["✅ Approve", "❌ Reject"]]
        query = await sam.press("✅ Approve")
        assert (await sam.callback_answer(query))["text"] == "Approved: it is live now."
        told, poster = await alex.next_replies(2)
        assert told.text.startswith(f"🎉 {TRICKY_NAME} is approved and now listed")
        assert poster.document is not None
        assert poster.document.startswith(b"\x89PNG\r\n\x1a\n")
        assert poster.api["document"]["file_name"] == f"nightsafe-venue-{done.venue_id}.png"
        link = f"https://t.me/{local_bot_api.bot_user['username']}?start=venue_{done.venue_id}"
        assert poster.text.endswith(link)
        # Listed at once: the very next answer has it; the applicant is its staff.
        assert TRICKY_NAME in await nearby_names(bot, alex, SOHO_SQUARE)
        async with bot.services.sessions() as session:
            assert await roles.venues_of(session, alex.id) == [done.venue_id]
        # Both cards now say who decided, and have no buttons left.
        for card in cards:
            updated = local_bot_api.chat(card.chat_id).messages[card.message_id]
            assert updated.text.endswith("✅ Approved by Sam, Sat 28/11/2026 23:40.")
            assert updated.buttons == []
        # The poster's deep link shows the venue as current.
        await alex.send_command("/start", f"venue_{done.venue_id}")
        _, card = await alex.next_replies(2)
        assert "✅ Listed with West End Night Safety Partnership (demo) and current." in card.text
        entries = [(e.actor_id, e.action, e.target_id) for e in await audit_log(bot)]
        assert entries == [(9001, "approve_new", str(done.venue_id))]


async def test_review_two_staff_approving_at_once_make_one_approval(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, kim = await _staff(bot)
        alex = bot.user()
        done = await register(bot, alex)
        await sam.next_reply()
        await kim.next_reply()
        queries = await asyncio.gather(sam.press("✅ Approve"), kim.press("✅ Approve"))
        answers = [
            (await member.callback_answer(query))["text"]
            for member, query in zip((sam, kim), queries, strict=True)
        ]
        winner = "Sam" if answers[0] == "Approved: it is live now." else "Kim"
        assert sorted(answers) == [
            f"Already approved by {winner}: nothing more to do.",
            "Approved: it is live now.",
        ]
        # Pressed again later: the same clear answer, and still one approval.
        query = await sam.press(data=f"rv|a|{done.application_id}")
        assert (await sam.callback_answer(query))["text"] == (
            f"Already approved by {winner}: nothing more to do."
        )
        await alex.send_command("/privacy")  # answered after every press is handled
        told, poster, privacy = await alex.next_replies(3)
        assert told.text.startswith("🎉")
        assert poster.document is not None
        assert privacy.text.startswith("🔒 Privacy")
        approvals = [e for e in await audit_log(bot) if e.action == "approve_new"]
        assert len(approvals) == 1


async def test_review_decisions_race_in_the_database(nightsafe: NightSafe) -> None:
    """Two replicas deciding the same application at once: exactly one wins."""
    alex = nightsafe.user()
    done = await register(nightsafe, alex)
    sessions = nightsafe.services.sessions
    now = nightsafe.services.now()

    async def approve(reviewer: int) -> bool:
        async with sessions() as session, session.begin():
            decision = await applications.approve(
                session, done.application_id, reviewer_id=reviewer, reviewer_name="x", at=now
            )
        assert decision is not None
        return decision.won

    async def reject(reviewer: int) -> bool:
        async with sessions() as session, session.begin():
            decision = await applications.reject(
                session,
                done.application_id,
                reviewer_id=reviewer,
                reviewer_name="y",
                reason="no",
                at=now,
            )
        assert decision is not None
        return decision.won

    won = await asyncio.gather(approve(1), approve(2), reject(3))
    assert sum(won) == 1
    async with sessions() as session:
        application = await applications.get(session, done.application_id)
    winner = won.index(True) + 1
    assert application is not None
    assert application.reviewed_by == winner


async def test_review_reject_asks_a_reason_and_tells_the_applicant(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, kim = await _staff(bot)
        alex = bot.user()
        done = await register(bot, alex)
        sam_card, kim_card = await sam.next_reply(), await kim.next_reply()
        await kim.press("❌ Reject")
        asked = await kim.next_reply()
        assert asked.text == (
            f"Why is {TRICKY_NAME} not approved? Your words go to the applicant as you write "
            "them. /cancel to leave it waiting."
        )
        said = await answer(kim, "123")
        assert said.text == "Please type the reason in words, at most 500 characters."
        said = await answer(kim, "Not in our area <b>yet</b> & not a bar")
        assert said.text == "❌ Rejected. The applicant has been told why."
        told = await alex.next_reply()
        assert told.text == (
            f"Sorry: {TRICKY_NAME} was not approved by West End Night Safety Partnership (demo). "
            "Their reason: Not in our area <b>yet</b> & not a bar\n"
            "Once that's sorted you can /register again."
        )
        for card in (sam_card, kim_card):
            updated = local_bot_api.chat(card.chat_id).messages[card.message_id]
            assert updated.text.endswith(
                "❌ Rejected by Kim, Sat 28/11/2026 23:40. Reason: Not in our area <b>yet</b> & "
                "not a bar"
            )
        # Approving something rejected: refused clearly; nothing changes, nobody told.
        query = await sam.press(data=f"rv|a|{done.application_id}", message_id=sam_card.message_id)
        assert (await sam.callback_answer(query))["text"] == (
            "Already rejected by Kim, so it can't be approved now. The venue can register again."
        )
        query = await sam.press(data=f"rv|r|{done.application_id}", message_id=sam_card.message_id)
        assert (await sam.callback_answer(query))["text"] == (
            "Already rejected by Kim: nothing more to do."
        )
        await sam.send_command("/pending")
        assert (await sam.next_reply()).text == "✅ Nothing is waiting for review."
        assert (await venue(bot, done.venue_id)).status is VenueStatus.REJECTED
        assert alex.replies[-1].message_id == told.message_id  # told once, nothing more
        actions = [(e.actor_id, e.action) for e in await audit_log(bot)]
        assert actions == [(9002, "reject_new")]


async def test_review_reject_can_be_cancelled_and_decided_meanwhile(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, kim = await _staff(bot)
        done = await register(bot, bot.user())
        await sam.next_reply()
        await kim.next_reply()
        await kim.press("❌ Reject")
        await kim.next_reply()
        await kim.send_command("/cancel")
        assert (await kim.next_reply()).text == "Not rejected: it is still waiting for review."
        await kim.press("❌ Reject")
        await kim.next_reply()
        await sam.press("✅ Approve")  # Sam approves while Kim is typing a reason
        await sam.send_command("/privacy")
        await sam.next_reply()
        said = await answer(kim, "Too far away")
        assert said.text == (
            "It was decided in the meantime (approved by Sam), so your reason was not sent."
        )
        assert (await venue(bot, done.venue_id)).status is VenueStatus.ACTIVE


async def test_review_forged_approve_from_the_public_changes_nothing(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        await _staff(bot)
        alex = bot.user()
        done = await register(bot, alex)
        mallory = bot.user(6666, "Mallory")
        await mallory.send_command("/start")
        start = await mallory.next_reply()
        for data in (f"rv|a|{done.application_id}", f"rv|r|{done.application_id}"):
            query = await mallory.press(data=data, message_id=start.message_id)
            assert (await mallory.callback_answer(query))["text"] == STAFF_ONLY
        await mallory.send_command("/pending")
        assert (await mallory.next_reply()).text == STAFF_ONLY
        async with bot.services.sessions() as session:
            application = await applications.get(session, done.application_id)
        assert application is not None
        assert application.status is Status.PENDING
        assert (await venue(bot, done.venue_id)).status is VenueStatus.PENDING
        assert await audit_log(bot) == []
        assert alex.replies[-1].text.startswith("📨 Thank you!")  # nobody told them anything


async def test_review_forged_and_stale_data_from_staff_is_refused(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, _ = await _staff(bot)
        for data, said in [
            ("rv|a|abc", "This button doesn't work any more. Please ask again."),
            ("rv|a|0", "This button doesn't work any more. Please ask again."),
            ("rv|a|424242", "That application no longer exists."),
            ("rv|r|424242", "That application no longer exists."),
            ("rg|ok", "That registration is over. Send /register to start again."),
        ]:
            query = await sam.press(data=data, message_id=1)
            assert (await sam.callback_answer(query))["text"] == said


async def test_pending_lists_what_waits_with_cards(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        sam, _ = await _staff(bot)
        await sam.send_command("/pending")
        assert (await sam.next_reply()).text == "✅ Nothing is waiting for review."
        done = await register(bot, bot.user())
        await sam.next_reply()  # the card sent at submission
        await sam.send_command("/pending")
        title, card = await sam.next_replies(2)
        assert title.text == "📋 1 waiting for review, oldest first:"
        assert card.text.startswith(f"🆕 New venue to review · application {done.application_id}")
        # A card from /pending is updated too, once decided from it.
        await sam.press("✅ Approve")
        await local_bot_api.wait_for(
            lambda _: "Approved by Sam" in (sam.chat.messages[card.message_id].text or "")
        )
