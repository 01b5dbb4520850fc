"""/start and /help, end to end."""

from __future__ import annotations

from tests.bot.nightsafe import NightSafe


async def test_start_explains_the_bot_with_the_main_keyboard(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/start")
    reply = await alex.next_reply()
    assert "Safe Haven" in reply.text
    assert "999" in reply.text
    print(reply.text, reply.api)
