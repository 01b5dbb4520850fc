"""Bad input gets a clear, kind answer and changes nothing stored; user strings are escaped."""

from __future__ import annotations

import math

import pytest

from bot.local_api import LocalBotApiServer
from tests.bot.nightsafe import NightSafe, running_nightsafe
from venues import repository

EXPIRED = "This button doesn't work any more. Please ask again."


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (0, 181), (math.nan, 0)])
async def test_impossible_shared_location_is_explained(
    nightsafe: NightSafe, latitude: float, longitude: float
) -> None:
    alex = nightsafe.user()
    await alex.send_location(latitude, longitude)
    reply = await alex.next_reply()
    assert reply.text == "I couldn't read that location. Please share it again with 📍."


@pytest.mark.parametrize(
    "data",
    [
        "n|91.00000,0.00000|005",
        "n|51.51030,-0.13010|0g5",  # filter bits that are not hexadecimal
        "n|51.51030,-0.13010|004",  # fewer places than a page
        "n|51.51030,-0.13010|00f|x",  # a trailing field
        "n|@deadbeef|005",  # a place that does not exist
        "pl|00000000",
        "sz|t|ffff|3",
        "sz|d|0",
        "n|<b>|005",
    ],
)
async def test_forged_button_data_is_refused_and_changes_nothing(
    nightsafe: NightSafe, data: str
) -> None:
    alex = nightsafe.user()
    await alex.send_location(51.5103, -0.1301)
    _, answer = await alex.next_replies(2)
    before = answer.text
    query = await alex.press(data=data, message_id=answer.message_id)
    callback = await alex.callback_answer(query)
    assert callback["text"] in (EXPIRED, "Choose at least one area first.")
    assert alex.transcript().messages[-1].text == before
    assert not nightsafe.server.calls_to("editMessageText")


async def test_press_on_a_message_the_bot_never_sent(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    query = await alex.press(data="n|51.51030,-0.13010|005", message_id=424242)
    assert (await alex.callback_answer(query))["text"] == EXPIRED


@pytest.mark.parametrize("command", ["/start junk junk", "/nightstars please now", "/help me"])
async def test_commands_with_junk_arguments_still_answer(
    nightsafe: NightSafe, command: str
) -> None:
    alex = nightsafe.user()
    await alex.send_text(command)
    reply = await alex.next_reply()
    assert "Sorry, something went wrong" not in reply.text
    assert reply.text


async def test_unknown_command_and_unreadable_messages(nightsafe: NightSafe) -> None:
    alex = nightsafe.user()
    await alex.send_command("/frobnicate")
    assert (await alex.next_reply()).text == (
        "I don't know that command. /help lists what I can do."
    )
    await nightsafe.server.push_update(
        "message",
        {
            "message_id": 9999,
            "date": 0,
            "chat": {"id": alex.id, "type": "private", "first_name": "Alex"},
            "from": alex.user,
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        },
    )
    assert (await alex.next_reply()).text.startswith("I can read text and shared locations.")


TRICKY_NAME = 'Demo Bar <Tom> & "Jerry" _under_ *star*'


async def test_venue_names_with_markup_characters_arrive_intact(
    local_bot_api: LocalBotApiServer, database_url: str
) -> None:
    csv = (
        "name,kind,address,postcode,latitude,longitude,opening_hours,phone,schemes\n"
        f'"{TRICKY_NAME.replace(chr(34), chr(34) * 2)}",accredited,"1 <Lisle> & Street",'
        "WC2H 7BA,51.5110,-0.1310,24/7,020 7946 0999,Ask for Angela\n"
    )
    from tests.bot.nightsafe import seed_venues

    await seed_venues(database_url, csv)
    async with running_nightsafe(local_bot_api, database_url, seed=False) as bot:
        alex = bot.user()
        await alex.send_location(51.5110, -0.1311)
        pin, answer = await alex.next_replies(2)
        assert TRICKY_NAME in answer.text
        assert "1 <Lisle> & Street" in answer.text
        assert pin.venue["title"] == TRICKY_NAME
        async with bot.services.sessions() as session:
            [venue] = await repository.list_public_venues(session)
        await alex.send_command("/start", f"venue_{venue.id}")
        _, card = await alex.next_replies(2)
        assert TRICKY_NAME in card.text
