"""Emergency first: guidance before anything else, from the partnership's data."""

from __future__ import annotations

import pytest

from tests.bot.nightsafe import NightSafe


def _assert_guidance(text: str) -> None:
    assert text.startswith("🆘 If you are in danger now")
    assert "Call 999 (or 112)." in text
    assert "Text 999 if you have registered for emergencySMS" in text
    assert "Not an emergency? Call 101." in text
    assert "ask for 'Angela'" in text
    assert "Share your location and I'll show the nearest open Safe Haven." in text


@pytest.mark.parametrize(
    "message",
    [
        "/emergency",
        "🆘 Emergency",
        "my drink was spiked",
        "someone is following me",
        "i dont feel safe",
        "HELP",
    ],
)
async def test_emergency_guidance_answers_first(nightsafe: NightSafe, message: str) -> None:
    alex = nightsafe.user()
    await alex.send_text(message)
    reply = await alex.next_reply()
    _assert_guidance(reply.text)
    # The guidance is the whole answer: nothing else follows it.
    await alex.send_command("/privacy")
    assert (await alex.next_reply()).text.startswith("🔒 Privacy")


async def test_emergency_contacts_come_from_the_partnership_data(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/emergency")
    text = (await alex.next_reply()).text
    emergency = nightsafe.services.partnership.emergency
    assert emergency.ask_for_angela in text
    assert emergency.sms in text
    assert emergency.silent_call in text
