"""/register end to end: the happy path, every bad answer at every step, /cancel, the
timeout, a restart in the middle, and a registration that is never public until approved."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.context import NightSafeContext
from bot.local_api import LocalBotApiServer, SimulatedUser
from bot.local_api.state import ChatMessage
from bot.models import ConversationRow, VenueApplicationRow
from bot.store import accreditations
from tests.bot.nightsafe import NightSafe, running_nightsafe
from tests.bot.venue_flows import (
    ADMINS,
    SOHO_SQUARE,
    TRICKY_NAME,
    answer,
    nearby_names,
    press,
    register,
    venue,
)
from venues.model import Facility, VenueKind, VenueStatus
from venues.orm import VenueRow

ASK_WHERE = "📍 Where is it?"
ASK_ADDRESS = "📫 What is the venue's street address"
ASK_HOURS = "🕘 When is it open?"
USE_BUTTONS = "Please use the buttons under the question."


async def _venue_count(bot: NightSafe) -> int:
    async with bot.services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(VenueRow)) or 0


async def _start(user: SimulatedUser, name: str = "The Lamb") -> None:
    await user.send_command("/register")
    await user.next_reply()
    await answer(user, name)


def _asks_again(reply: ChatMessage, problem: str, question: str) -> None:
    """A plain explanation first, then the same question again."""
    text = reply.text or ""
    assert text.startswith(problem), text
    assert question in text, text


async def test_registration_happy_path_is_stored_pending_and_never_public(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        alex = bot.user()
        done = await register(bot, alex)
        assert done.submitted.text == (
            f"📨 Thank you! {TRICKY_NAME} has been sent to West End Night Safety Partnership "
            "(demo) for review. It is not shown to the public until it is approved; you'll get "
            "the decision here."
        )
        summary = alex.replies[-2]
        assert summary.text.splitlines()[2:11] == [
            f"🏷 {TRICKY_NAME}",
            "✅ Accredited venue",
            "📫 10 Soho Square, London W1D 3QU",
            "📍 51.51540, -0.13220",
            "🏅 Ask for Angela (until 31/12/2026)",
            "🚻 toilets · 🗣 speaks Spanish",
            "🕘 Fr,Sa 22:00-04:00",
            "☎️ 020 7946 0999",
            "👤 Alex Smith, Manager",
        ]
        stored = await venue(bot, done.venue_id)
        assert stored.status is VenueStatus.PENDING
        assert (stored.name, stored.kind, stored.postcode) == (
            TRICKY_NAME,
            VenueKind.ACCREDITED,
            "W1D 3QU",
        )
        assert stored.schemes == ("Ask for Angela",)
        assert stored.facilities == frozenset({Facility.TOILETS})
        assert stored.languages == ("es",)
        # Pending: never in a public answer, and its deep link says it is not listed.
        assert TRICKY_NAME not in await nearby_names(bot, alex, SOHO_SQUARE)
        async with bot.services.sessions() as session:
            recorded = await accreditations.of_venue(session, done.venue_id)
            left = await session.scalar(select(func.count()).select_from(ConversationRow))
        assert [(a.scheme, a.expires_on) for a in recorded] == [
            ("Ask for Angela", date(2026, 12, 31))
        ]
        assert left == 0  # the draft went with the conversation
        await alex.send_command("/start", f"venue_{done.venue_id}")
        assert "is not currently listed" in (await alex.next_reply()).text


async def test_registration_every_bad_answer_is_explained_and_asked_again(
    nightsafe: NightSafe,
) -> None:
    alex = nightsafe.user()
    before = await _venue_count(nightsafe)
    await alex.send_command("/register")
    await alex.next_reply()
    _asks_again(
        await answer(alex, "!!! ???"), "The name needs at least one letter or number.", "🏷 What"
    )
    _asks_again(
        await answer(alex, "x" * 121), "That's 121 characters; a name can have at most 120.", "🏷"
    )
    await alex.send_location(51.5, -0.1)
    _asks_again(await alex.next_reply(), "Please type the answer.", "🏷 What is the venue called")
    await answer(alex, "The Lamb")
    # where
    _asks_again(await answer(alex, "qqqq zzzz xxxx"), "I couldn't find that place.", ASK_WHERE)
    _asks_again(
        await answer(alex, "48.8566, 2.3522"),
        "That's outside the area West End Night Safety Partnership (demo) covers",
        ASK_WHERE,
    )
    _asks_again(await answer(alex, "91.5, 0.1"), "That latitude is impossible", ASK_WHERE)
    _asks_again(await answer(alex, "Soho " * 50), "That's too long", ASK_WHERE)
    await alex.send_location(48.8566, 2.3522)
    _asks_again(await alex.next_reply(), "That's outside the area", ASK_WHERE)
    await alex.send_text("Oxford")
    choices = await alex.next_reply()
    assert choices.buttons == [
        ["Oxford Circus"],
        ["Oxford Circus station"],
        ["Oxford Street"],
        ["New Oxford Street"],
    ]
    await alex.press("Oxford Street")
    pin, confirm = await alex.next_replies(2)
    assert pin.venue["title"] == "Oxford Street"
    assert confirm.buttons == [["✅ Yes, that's it", "❌ No, try again"]]
    assert (await press(alex, "❌ No, try again")).text.startswith(ASK_WHERE)
    await alex.send_location(51.5136, -0.1340)  # a pin needs no confirming
    # address
    _asks_again(await alex.next_reply(), "", ASK_ADDRESS)
    _asks_again(
        await answer(alex, "12"), "Please type the street address, between 5 and 200", ASK_ADDRESS
    )
    # kind
    kind = await answer(alex, "1 Dean Street, London")
    _asks_again(await answer(alex, "a pub"), USE_BUTTONS, "What kind of place is it?")
    await alex.press("🛡️ Safe Haven", message_id=kind.message_id)
    schemes = await alex.next_reply()
    assert ["✓ Safe Haven"] in schemes.buttons  # a Safe Haven comes with its scheme ticked
    await alex.press("✓ Safe Haven")  # untick: nothing chosen
    await nightsafe.server.wait_for(lambda _: ["Safe Haven"] in alex.replies[-1].buttons)
    query = await alex.press("Done ✔")
    assert (await alex.callback_answer(query))["text"] == "Choose at least one scheme first."
    await alex.press("WAVE")
    expiry = await press(alex, "Done ✔")
    assert expiry.text.startswith("📅 When does the venue's WAVE accreditation expire?")
    _asks_again(await answer(alex, "31/02/2027"), "I couldn't read that date", "📅")
    _asks_again(await answer(alex, "01/01/2020"), "That day has already passed.", "📅")
    _asks_again(await answer(alex, "1/1/2099"), "That's more than 10 years away", "📅")
    facilities = await answer(alex, "2027-03-31")
    _asks_again(await answer(alex, "toilets"), USE_BUTTONS, "What can people who need help")
    await alex.press("Done ✔", message_id=facilities.message_id)
    await alex.next_reply()
    _asks_again(await answer(alex, "12345"), "Type a language's name in letters", "🗣")
    with_welsh = await answer(alex, "Welsh")
    assert ["✓ Welsh"] in [row[-1:] for row in with_welsh.buttons]
    hours = await press(alex, "Done ✔")
    assert hours.text.startswith(ASK_HOURS)
    _asks_again(
        await answer(alex, "Fri 22-4"),
        "I couldn't read those opening hours. Write days with two letters: Mo Tu We Th Fr Sa "
        "Su (so Fr,Sa, not Fri,Sat). Write each time with a colon and two digits",
        ASK_HOURS,
    )
    _asks_again(await answer(alex, "off"), "With those hours the venue is never open", ASK_HOURS)
    phone = await answer(alex, "Mo-Su 18:00-02:00")
    assert phone.text.startswith("☎️")
    _asks_again(await answer(alex, "12345"), "That isn't a UK phone number.", "☎️")
    await answer(alex, "+44 (0)20 7946 0555")
    _asks_again(await answer(alex, "007"), "Please type it in words", "What is your name?")
    await answer(alex, "Alex")
    await answer(alex, "Duty manager")
    _asks_again(await answer(alex, "looks good"), USE_BUTTONS, "Please check the registration")
    # Edit a field: jump to it, then straight back to the summary.
    assert (await press(alex, "✏️ Edit a field")).text == "Which part do you want to change?"
    await press(alex, "Phone")
    edited = await answer(alex, "07700 900123")
    assert "☎️ 07700 900123" in edited.text
    assert "🏅 WAVE (until 31/03/2027)" in edited.text
    assert "🗣 speaks Welsh" in edited.text
    assert await _venue_count(nightsafe) == before  # nothing stored before confirming
    cancelled = await press(alex, "✖️ Cancel")
    assert cancelled.text.startswith("Registration cancelled: nothing was saved.")
    assert await _venue_count(nightsafe) == before


async def test_registration_cancel_at_any_step_keeps_nothing(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    before = await _venue_count(nightsafe)
    await _start(alex)
    await alex.send_text("Soho Square")
    await alex.next_replies(2)
    await alex.send_command("/cancel")
    cancelled = await alex.next_reply()
    assert cancelled.text == "Registration cancelled: nothing was saved. /register to start again."
    # Over: typing is a place query again, and old buttons are refused kindly.
    await alex.send_text("Soho Square")
    assert "Soho Square" in (await alex.next_replies(2))[1].text
    query = await alex.press("✅ Yes, that's it")
    assert (await alex.callback_answer(query))["text"] == (
        "That registration is over. Send /register to start again."
    )
    assert await _venue_count(nightsafe) == before


async def test_registration_idle_too_long_ends_politely(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await _start(alex)
    # Updates are handled one after another: once this is answered, the name is saved.
    await alex.send_command("/privacy")
    await alex.next_reply()
    nightsafe.clock.now += timedelta(minutes=61)
    sweep = nightsafe.application.job_queue.get_jobs_by_name("end-stale")[0]
    await sweep.callback(NightSafeContext(nightsafe.application))
    assert (await alex.next_reply()).text == (
        "⏳ Your venue registration stopped because there was no answer for a while. "
        "Nothing was saved: send /register to start again."
    )
    await alex.send_text("Soho Square")  # no longer an answer: a place query
    assert "Open near Soho Square" in (await alex.next_replies(2))[1].text


async def test_registration_survives_a_restart_mid_way(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        alex = bot.user()
        await _start(alex, TRICKY_NAME)
        await alex.send_text("Soho Square")
        await alex.next_replies(2)
        await press(alex, "✅ Yes, that's it")
        await answer(alex, "10 Soho Square, London W1D 3QU")
        await alex.press("✅ Accredited venue")
        await alex.next_reply()
        await alex.press("Best Bar None")  # ticked, then the bot stops
        await local_bot_api.wait_for(lambda _: ["✓ Best Bar None"] in alex.replies[-1].buttons)
        await alex.send_command("/privacy")  # answered once the tick is saved
        await alex.next_reply()
    async with running_nightsafe(
        local_bot_api, database_url, seed=False, NIGHTSAFE_ADMIN_IDS=ADMINS
    ) as bot:
        alex = bot.user()
        await alex.press("Done ✔")
        await alex.next_reply()
        await alex.press("No expiry date")
        await alex.next_reply()
        await press(alex, "Done ✔")
        await press(alex, "Done ✔")
        await press(alex, "Always open (24/7)")
        await answer(alex, "020 7946 0999")
        await answer(alex, "Alex")
        summary = await answer(alex, "Owner")
        assert f"🏷 {TRICKY_NAME}" in summary.text
        assert "🏅 Best Bar None" in summary.text
        submitted = await press(alex, "✅ Confirm and send")
        assert submitted.text.startswith("📨 Thank you!")
        async with bot.services.sessions() as session:
            applied = await session.scalar(select(func.count()).select_from(VenueApplicationRow))
        assert applied == 1


async def test_registration_refused_while_too_many_wait_for_review(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(
        local_bot_api, database_url, NIGHTSAFE_REGISTRATION_MAX_PENDING="1"
    ) as bot:
        alex = bot.user()
        await register(bot, alex)
        await alex.send_command("/register")
        assert (await alex.next_reply()).text.startswith(
            "You already have 1 registrations waiting for review."
        )
