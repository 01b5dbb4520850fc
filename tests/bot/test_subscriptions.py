"""/subscribe with quiet hours, /alerts for the zones chosen, and /forget removing the
alerts queued for a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.local_api import SimulatedUser
from bot.models import OutboxRow
from bot.store import outbox, subscriptions
from bot.store.alerts import Audience, Priority
from tests.bot.nightsafe import NightSafe


async def _press_and_wait_edit(bot: NightSafe, user: SimulatedUser, label: str) -> str:
    edits = len(bot.server.calls_to("editMessageText"))
    await user.press(label)
    await bot.server.wait_for(lambda _: len(bot.server.calls_to("editMessageText")) > edits)
    return user.transcript().messages[-1].text or ""


async def test_subscribe_then_choose_quiet_hours(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/subscribe")
    await alex.next_reply()
    await _press_and_wait_edit(nightsafe, alex, "Soho")
    text = await _press_and_wait_edit(nightsafe, alex, "Done")
    assert text.startswith("🔔 You'll get safety alerts for: Soho.")
    assert "🌙 Quiet hours? Normal alerts wait until they end" in text
    assert alex.transcript().messages[-1].buttons == [
        ["23:00–07:00", "00:00–08:00"],
        ["01:00–09:00", "03:00–11:00"],
        ["No quiet hours"],
    ]
    text = await _press_and_wait_edit(nightsafe, alex, "23:00–07:00")
    assert text.endswith("🌙 Quiet hours 23:00–07:00: urgent alerts still come at once.")
    async with nightsafe.services.sessions() as session:
        stored = await subscriptions.get(session, alex.id)
    assert stored is not None
    assert (stored.zones, stored.quiet_from, stored.quiet_until) == (("soho",), "23:00", "07:00")
    # Asked again, "No quiet hours" clears them.
    await alex.send_command("/subscribe")
    await alex.next_reply()
    await _press_and_wait_edit(nightsafe, alex, "Done")
    text = await _press_and_wait_edit(nightsafe, alex, "No quiet hours")
    assert text.endswith("🔔 No quiet hours: alerts come as they happen.")
    async with nightsafe.services.sessions() as session:
        stored = await subscriptions.get(session, alex.id)
    assert stored is not None
    assert (stored.quiet_from, stored.quiet_until) == (None, None)


async def test_quiet_hours_buttons_are_checked(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    answer = await alex.callback_answer(await alex.press(data="sq|2300-0700"))
    assert answer["text"] == "You aren't subscribed to alerts. /subscribe to start."
    async with nightsafe.services.sessions() as session, session.begin():
        await subscriptions.subscribe(session, alex.id, ["soho"], "en")
    answer = await alex.callback_answer(await alex.press(data="sq|1200-1300"))  # not offered
    assert answer["text"] == "This button doesn't work any more. Please ask again."
    async with nightsafe.services.sessions() as session:
        stored = await subscriptions.get(session, alex.id)
    assert stored is not None
    assert stored.quiet_from is None
    # Pressed on a question too old to edit, a valid choice still counts: the answer
    # comes as a new message.
    await alex.press(data="sq|2300-0700")
    reply = await alex.next_reply()
    assert reply.text.endswith("🌙 Quiet hours 23:00–07:00: urgent alerts still come at once.")
    async with nightsafe.services.sessions() as session:
        stored = await subscriptions.get(session, alex.id)
    assert stored is not None
    assert (stored.quiet_from, stored.quiet_until) == ("23:00", "07:00")


async def test_forget_removes_alerts_queued_for_the_person(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    services = nightsafe.services
    now = nightsafe.clock.now
    async with services.sessions() as session, session.begin():
        await subscriptions.subscribe(session, alex.id, ["soho"], "en")
        # Quiet hours keep the alert queued (not yet sent) for a while.
        await subscriptions.set_quiet_hours(session, alex.id, "23:00", "07:00")
        draft = outbox.draft_alert(
            text="Queued",
            audience=Audience.PUBLIC,
            zones=[],
            priority=Priority.NORMAL,
            created_by=9001,
            now=now,
            expires_at=now + timedelta(hours=12),
        )
        recipients = await outbox.plan(
            session, draft, services.partnership.zones, now, services.zone
        )
        await outbox.create_broadcast(
            session,
            draft,
            recipients,
            staff_chat_id=9001,
            staff_language="en",
            progress_message_id=None,
            paid=False,
            mirror_to_channel=False,
            now=now,
        )
    await alex.send_command("/forget")
    assert (await alex.next_reply()).text.startswith("🗑 Done.")
    async with services.sessions() as session:
        left = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.chat_id == alex.id)
        )
    assert left == 0
