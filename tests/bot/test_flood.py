"""Flood control: many messages a second from one person are slowed politely."""

from __future__ import annotations

from bot.local_api import LocalBotApiServer
from tests.bot.nightsafe import running_nightsafe


async def test_a_flood_of_messages_is_slowed_politely(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(
        local_bot_api, database_url, seed=False, NIGHTSAFE_USER_BURST=3, NIGHTSAFE_USER_RATE=0.01
    ) as bot:
        alex, bob = bot.user(1001, "Alex"), bot.user(1002, "Bob")
        for _ in range(10):
            await alex.send_command("/privacy")
        # Bob is not held up by Alex's flood.
        await bob.send_command("/privacy")
        assert (await bob.next_reply()).text.startswith("🔒 Privacy")
        await bot.all_handled()
        texts = [message.text for message in alex.replies]
        assert texts[:3] == [texts[0]] * 3
        assert texts[0].startswith("🔒 Privacy")
        assert texts[3:] == ["⏳ That's a lot of messages at once — give me a second, please."]
