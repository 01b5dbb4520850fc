"""/grant, /revoke and /stats end to end: partnership staff only (checked on the server),
every change audited, and refusals change nothing."""

from __future__ import annotations

import pytest

from bot.local_api import LocalBotApiServer
from bot.store import roles
from tests.bot.nightsafe import NightSafe, running_nightsafe
from tests.bot.venue_flows import ADMINS, answer, audit_log, listed_venue

STAFF_ONLY = "🔒 That's for partnership staff only."


async def _is_staff(bot: NightSafe, user_id: int) -> bool:
    async with bot.services.sessions() as session:
        return await roles.is_partnership_staff(session, user_id)


@pytest.mark.parametrize("command", ["/grant 1001", "/revoke 9001", "/stats", "/grant", "/pending"])
async def test_staff_commands_refuse_the_public_and_change_nothing(
    local_bot_api: LocalBotApiServer, database_url: str, command: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        alex = bot.user()
        assert (await answer(alex, command)).text == STAFF_ONLY
        assert not await _is_staff(bot, alex.id)
        assert await _is_staff(bot, 9001)
        assert await audit_log(bot) == []


async def test_staff_grant_and_revoke_are_audited(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS="9001") as bot:
        sam, alex = bot.user(9001, "Sam"), bot.user()
        assert (await answer(sam, "/grant 1001")).text == "✅ 1001 is now partnership staff."
        assert (await answer(sam, "/grant 1001")).text == "1001 is already partnership staff."
        # The new member of staff can act at once — and is checked again each time.
        assert (await answer(alex, "/stats")).text.startswith("📊 NightSafe figures")
        assert (await answer(sam, "/revoke 1001")).text == "✅ 1001 is no longer partnership staff."
        assert (await answer(sam, "/revoke 1001")).text == (
            "1001 isn't partnership staff, so there was nothing to revoke."
        )
        assert (await answer(alex, "/stats")).text == STAFF_ONLY
        entries = [(e.actor_id, e.action, e.target_type, e.target_id) for e in await audit_log(bot)]
        assert entries == [(9001, "revoke", "user", "1001"), (9001, "grant", "user", "1001")]


async def test_staff_bad_arguments_and_revoking_oneself_are_explained(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS="9001") as bot:
        sam = bot.user(9001, "Sam")
        usage = "Send /grant USER_ID — the person's numeric Telegram id."
        for command in ("/grant", "/grant bob", "/grant 1 2", "/grant -5"):
            assert (await answer(sam, command)).text == usage
        assert (await answer(sam, "/revoke @bob")).text == (
            "Send /revoke USER_ID — the person's numeric Telegram id."
        )
        assert (await answer(sam, "/revoke 9001")).text == (
            "You can't revoke your own role: ask another member of staff."
        )
        assert await _is_staff(bot, 9001)
        assert await audit_log(bot) == []


async def test_staff_stats_counts_venues_and_staff(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url, NIGHTSAFE_ADMIN_IDS=ADMINS) as bot:
        await listed_venue(bot, 1001)
        stats = await answer(bot.user(9001, "Sam"), "/stats")
        lines = stats.text.splitlines()
        assert lines[0] == "📊 NightSafe figures"
        assert lines[1].startswith("Venues: ")
        assert "Staff: 2 partnership · 1 venue" in lines
