"""A person's own choices: language, simple answers for screen readers, discreet mode."""

from __future__ import annotations

import html
import re

from bot.local_api import LocalBotApiServer
from bot.render.simple import plain
from bot.store import preferences
from bot.texts import t
from tests.bot.nightsafe import NightSafe, running_nightsafe

_ICON = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


def _shown(html_text: str) -> str:
    """What a person sees of an HTML text: no tags, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


async def test_simple_mode_answers_in_plain_text_without_icons_or_buttons(
    nightsafe: NightSafe,
) -> None:
    alex = nightsafe.user()
    await alex.send_command("/simple")
    assert (await alex.next_reply()).text.startswith("Simple answers are on")
    await alex.send_location(51.5103, -0.1301)
    _, answer = await alex.next_replies(2)
    assert answer.text.startswith("Open near you now · Sat 23:40")
    assert "min walk · open until" in answer.text
    assert re.search(r"^Directions: https://www\.google\.com/maps/dir/", answer.text, re.M)
    assert not _ICON.search(answer.text)
    # No formatting at all; Telegram itself still turns the link into a clickable url.
    assert [e["type"] for e in answer.entities] == ["url"]
    assert answer.buttons == []
    await alex.send_command("/start")
    await alex.next_reply()
    [call] = [
        c for c in nightsafe.server.calls_to("sendMessage") if "remove_keyboard" in str(c.params)
    ]
    assert "parse_mode" not in call.params
    await alex.send_command("/simple", "off")
    assert (await alex.next_reply()).text.startswith("Simple answers are off")
    await alex.send_location(51.5103, -0.1301)
    _, answer = await alex.next_replies(2)
    assert answer.buttons


async def test_discreet_mode_deletes_the_shared_location_after_answering(
    nightsafe: NightSafe,
) -> None:
    alex = nightsafe.user()
    await alex.send_command("/discreet", "on")
    assert (await alex.next_reply()).text.startswith("🤫 Discreet mode is on")
    shared = await alex.send_location(51.5103, -0.1301)
    await alex.next_replies(2)
    typed = await alex.send_text("Leicester Square")
    await alex.next_replies(2)
    await nightsafe.server.wait_for(lambda _: len(nightsafe.server.calls_to("deleteMessage")) == 2)
    deleted = [c.params["message_id"] for c in nightsafe.server.calls_to("deleteMessage")]
    assert deleted == [shared.message_id, typed.message_id]
    assert all(
        message.deleted for message in alex.transcript().messages if message.message_id in deleted
    )


async def test_forget_also_forgets_preferences(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/simple", "on")
    await alex.next_reply()
    await alex.send_command("/forget")
    await alex.next_reply()
    async with nightsafe.services.sessions() as session:
        assert await preferences.get(session, alex.id) == preferences.DEFAULT
    await alex.send_location(51.5103, -0.1301)
    _, answer = await alex.next_replies(2)
    assert answer.buttons  # no longer simple


async def test_language_follows_telegram_and_can_be_chosen(nightsafe: NightSafe) -> None:
    amelie = nightsafe.user(2002, "Amélie", language_code="fr")
    await amelie.send_command("/start")
    partnership = nightsafe.services.partnership.name
    assert (await amelie.next_reply()).text == _shown(
        t("start.intro", "fr", partnership=partnership)
    )
    await amelie.send_command("/emergency")
    emergency = (await amelie.next_reply()).text
    french = nightsafe.services.partnership.localised("fr").emergency
    assert emergency.startswith(_shown(t("emergency.title", "fr")))
    assert french.ask_for_angela in emergency
    assert "999" in emergency
    assert "101" in emergency
    await amelie.send_command("/language")
    picker = await amelie.next_reply()
    labels = [label for row in picker.buttons for label in row]
    for name in ("English", "Français", "Español", "Deutsch", "العربية", "中文"):
        assert name in labels
    await amelie.press("Deutsch")
    await nightsafe.server.wait_for(lambda _: nightsafe.server.calls_to("editMessageText"))
    await amelie.send_command("/nightstars")
    assert (await amelie.next_reply()).text.startswith(_shown(t("nightstars.title", "de")))
    async with nightsafe.services.sessions() as session:
        assert (await preferences.get(session, amelie.id)).language == "de"


async def test_choices_survive_a_restart(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    async with running_nightsafe(local_bot_api, database_url) as bot:
        alex = bot.user(2001, "Alex", language_code="en")
        await alex.send_command("/simple", "on")
        await alex.next_reply()
        await alex.send_command("/language")
        await alex.next_reply()
        await alex.press("Español")
        await bot.server.wait_for(lambda _: bot.server.calls_to("editMessageText"))
    # A new process reads everyone's choices once; a newcomer still gets the defaults.
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        alex, newcomer = bot.user(2001, "Alex"), bot.user(2003, "Sam", language_code="en")
        name = bot.services.partnership.name
        await alex.send_command("/start")
        answer = await alex.next_reply()
        assert answer.text == plain(t("start.intro", "es", partnership=name))  # simple, in Spanish
        await newcomer.send_command("/start")
        assert (await newcomer.next_reply()).text == _shown(
            t("start.intro", "en", partnership=name)
        )
