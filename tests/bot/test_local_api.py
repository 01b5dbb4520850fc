"""The local Bot API server, driven over HTTP by a real telegram.Bot (and by raw aiohttp
requests where python-telegram-bot would refuse to send something)."""

from __future__ import annotations

import asyncio
import html
import io
import socket
import struct
import time
import zlib
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.local_api import FaultKind, LocalBotApiServer, polling
from bot.local_api.faults import Fault

ALEX = 1001


def png_image(width: int, height: int) -> bytes:
    """A valid RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def raw_call(server: LocalBotApiServer, method: str, **payload: Any) -> tuple[int, dict]:
    """POST a JSON body straight to the server, bypassing python-telegram-bot's checks."""
    url = f"{server.base_url}{server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=payload) as response:
        return response.status, await response.json()


async def refusal(
    server: LocalBotApiServer, call: Awaitable[object], error: type[TelegramError] = BadRequest
) -> str:
    """Await a call that must fail; return Telegram's description as the server sent it
    (python-telegram-bot re-cases it in the exception)."""
    with pytest.raises(error):
        await call
    return str(server.calls.calls[-1].description)


class FrozenClock:
    """A monotonic clock that only moves when told: makes 'within one second' exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def alex(local_bot_api: LocalBotApiServer) -> Any:
    return local_bot_api.user(ALEX, "Alex", username="alex_out")


# --- round trips into PTB objects ------------------------------------------------------


async def test_local_api_get_me_returns_the_bot_user(telegram_bot: Bot) -> None:
    me = await telegram_bot.get_me()
    assert me.is_bot
    assert me.username == "NightSafeBot"
    assert me.id == int(telegram_bot.token.split(":")[0])


async def test_local_api_send_message_round_trips_entities_and_keyboard(
    telegram_bot: Bot, alex: Any
) -> None:
    sent = await telegram_bot.send_message(
        ALEX,
        "<b>Soho Haven</b> open &amp; staffed, see /help",
        parse_mode="HTML",
        reply_markup=keyboard([("Directions", "dir:1"), ("More", "more:1")]),
    )
    assert isinstance(sent, Message)
    assert sent.text == "Soho Haven open & staffed, see /help"
    assert sent.from_user is not None
    assert sent.from_user.username == "NightSafeBot"
    assert sent.chat.id == ALEX
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [("bold", 0, 10), ("bot_command", 31, 5)]
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][1].callback_data == "more:1"
    reply = await alex.next_reply()
    assert reply.text == sent.text
    assert reply.buttons == [["Directions", "More"]]


async def test_local_api_message_ids_increase_per_chat(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot
) -> None:
    local_bot_api.user(ALEX)
    local_bot_api.user(2002, "Sam")
    ids_alex = [(await telegram_bot.send_message(ALEX, f"a{i}")).message_id for i in range(3)]
    ids_sam = [(await telegram_bot.send_message(2002, "s")).message_id]
    assert ids_alex == [1, 2, 3]
    assert ids_sam == [1]


async def test_local_api_location_and_venue_round_trip(telegram_bot: Bot, alex: Any) -> None:
    location = await telegram_bot.send_location(ALEX, 51.5101, -0.1340)
    venue = await telegram_bot.send_venue(
        ALEX, 51.5115, -0.1318, "Soho Safe Haven", "1 Greek St, London W1D 4DQ"
    )
    assert location.location is not None
    assert (location.location.latitude, location.location.longitude) == (51.5101, -0.134)
    assert venue.venue is not None
    assert venue.venue.title == "Soho Safe Haven"
    assert venue.venue.location.latitude == 51.5115
    replies = await alex.next_replies(2)
    assert replies[1].venue["address"] == "1 Greek St, London W1D 4DQ"


async def test_local_api_live_location_edits_until_stopped(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    live = await telegram_bot.send_location(ALEX, 51.5, -0.13, live_period=900)
    moved = await telegram_bot.edit_message_live_location(
        ALEX, live.message_id, latitude=51.51, longitude=-0.14
    )
    assert isinstance(moved, Message)
    assert moved.location is not None
    assert moved.location.latitude == 51.51
    same_place = telegram_bot.edit_message_live_location(
        ALEX, live.message_id, latitude=51.51, longitude=-0.14
    )
    assert (await refusal(local_bot_api, same_place)).startswith(
        "Bad Request: message is not modified"
    )
    await telegram_bot.stop_message_live_location(ALEX, live.message_id)
    after_stop = telegram_bot.edit_message_live_location(
        ALEX, live.message_id, latitude=51.52, longitude=-0.14
    )
    assert await refusal(local_bot_api, after_stop) == "Bad Request: message can't be edited"


async def test_local_api_photo_upload_is_readable_back(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    image = png_image(64, 48)
    sent = await telegram_bot.send_photo(ALEX, image, caption="<i>Map</i>", parse_mode="HTML")
    assert sent.photo[-1].width == 64
    assert sent.photo[-1].height == 48
    assert sent.caption == "Map"
    reply = await alex.next_reply()
    assert reply.photo == image
    upload = local_bot_api.calls_to("sendPhoto")[0].files["photo"]
    assert upload.data == image
    downloaded = await (await telegram_bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_local_api_photo_that_is_no_image_is_rejected(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    not_an_image = telegram_bot.send_photo(ALEX, b"not an image at all")
    assert await refusal(local_bot_api, not_an_image) == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_local_api_document_upload_keeps_name_and_bytes(telegram_bot: Bot, alex: Any) -> None:
    csv = b"name,kind\nSoho Haven,safe_haven\n"
    sent = await telegram_bot.send_document(ALEX, io.BytesIO(csv), filename="venues.csv")
    assert sent.document is not None
    assert sent.document.file_name == "venues.csv"
    assert sent.document.file_size == len(csv)
    assert (await alex.next_reply()).document == csv


async def test_local_api_edits_text_and_keyboard(telegram_bot: Bot, alex: Any) -> None:
    sent = await telegram_bot.send_message(ALEX, "Pick one", reply_markup=keyboard([("A", "a")]))
    edited = await telegram_bot.edit_message_text(
        "Picked <b>A</b>", ALEX, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message)
    assert edited.text == "Picked A"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    await telegram_bot.edit_message_reply_markup(
        ALEX, sent.message_id, reply_markup=keyboard([("Undo", "undo")])
    )
    [shown] = alex.transcript().messages
    assert shown.text == "Picked A"
    assert shown.buttons == [["Undo"]]


async def test_local_api_delete_removes_message_from_transcript(
    telegram_bot: Bot, alex: Any
) -> None:
    first = await telegram_bot.send_message(ALEX, "one")
    await telegram_bot.send_message(ALEX, "two")
    assert await telegram_bot.delete_message(ALEX, first.message_id)
    assert alex.transcript().texts() == ["two"]
    assert [e.kind for e in alex.transcript().events] == ["sent", "sent", "deleted"]


async def test_local_api_commands_round_trip_per_scope(telegram_bot: Bot, alex: Any) -> None:
    await telegram_bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    staff = BotCommandScopeChat(ALEX)
    await telegram_bot.set_my_commands([BotCommand("pending", "Review")], scope=staff)
    assert [c.command for c in await telegram_bot.get_my_commands()] == ["start", "help"]
    assert [c.command for c in await telegram_bot.get_my_commands(scope=staff)] == ["pending"]
    assert await telegram_bot.delete_my_commands(scope=staff)
    assert await telegram_bot.get_my_commands(scope=staff) == ()
    with pytest.raises(BadRequest, match="Invalid command name"):
        await telegram_bot.set_my_commands([BotCommand("Start-Now", "x")])


async def test_local_api_chat_action_get_chat_log_out_and_close(
    telegram_bot: Bot, alex: Any
) -> None:
    assert await telegram_bot.send_chat_action(ALEX, "typing")
    chat = await telegram_bot.get_chat(ALEX)
    assert chat.first_name == "Alex"
    assert chat.username == "alex_out"
    assert await telegram_bot.log_out()
    assert await telegram_bot.close()


# --- what Telegram rejects --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<div>Soho</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("Fish & chips", 'Character "&" at byte offset 5 must be escaped'),
        ("&nbsp;open", 'Character "&" at byte offset 0 must be escaped'),
        ("open < 2am", 'Unsupported start tag "" at byte offset 5'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_local_api_rejects_bad_html(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any, text: str, description: str
) -> None:
    sent = telegram_bot.send_message(ALEX, text, parse_mode="HTML")
    refused = await refusal(local_bot_api, sent)
    assert refused.startswith(f"Bad Request: can't parse entities: {description}")
    assert alex.replies == []


@pytest.mark.parametrize(
    ("text", "char"),
    [("Open now.", "."), ("W1D-3QU", "-"), ("(closed)", "("), ("1+1=2", "+"), ("wow!", "!")],
)
async def test_local_api_rejects_unescaped_markdown_v2(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any, text: str, char: str
) -> None:
    sent = telegram_bot.send_message(ALEX, text, parse_mode="MarkdownV2")
    assert await refusal(local_bot_api, sent) == (
        f"Bad Request: can't parse entities: Character '{char}' is reserved "
        "and must be escaped with the preceding '\\'"
    )


async def test_local_api_rejects_unclosed_markdown_v2_entity(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    sent = telegram_bot.send_message(ALEX, "*open late", parse_mode="MarkdownV2")
    assert await refusal(local_bot_api, sent) == (
        "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"
    )


async def test_local_api_accepts_properly_escaped_user_text(telegram_bot: Bot, alex: Any) -> None:
    tricky = "Tom & Jerry's <Bar> 5* (W1D-3QU). #1!"
    as_html = await telegram_bot.send_message(
        ALEX, f"<b>{html.escape(tricky)}</b>", parse_mode="HTML"
    )
    escaped = "".join(f"\\{c}" if c in "_*[]()~`>#+-=|{}.!" else c for c in tricky)
    as_markdown = await telegram_bot.send_message(ALEX, f"*{escaped}*", parse_mode="MarkdownV2")
    assert as_html.text == tricky
    assert as_markdown.text == tricky


async def test_local_api_text_limit_counts_utf16_after_parsing(
    telegram_bot: Bot, alex: Any
) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await telegram_bot.send_message(ALEX, "a" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await telegram_bot.send_message(ALEX, "😀" * 2049)  # 2049 characters, 4098 UTF-16 units
    markup_heavy = "<b>" + "a" * 4090 + "</b><i>bcdef</i>"  # raw 4112 chars, 4095 once parsed
    sent = await telegram_bot.send_message(ALEX, markup_heavy + "g", parse_mode="HTML")
    assert len(sent.text) == 4096
    assert len((await telegram_bot.send_message(ALEX, "😀" * 2048)).text) == 2048


async def test_local_api_caption_limit_is_1024(telegram_bot: Bot, alex: Any) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await telegram_bot.send_photo(ALEX, png_image(2, 2), caption="c" * 1025)
    assert (await telegram_bot.send_photo(ALEX, png_image(2, 2), caption="c" * 1024)).caption


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_local_api_rejects_empty_text(telegram_bot: Bot, alex: Any, text: str) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await telegram_bot.send_message(ALEX, text, parse_mode="HTML")


async def test_local_api_callback_data_is_limited_to_64_bytes(telegram_bot: Bot, alex: Any) -> None:
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await telegram_bot.send_message(ALEX, "x", reply_markup=keyboard([("b", "d" * 65)]))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await telegram_bot.send_message(ALEX, "x", reply_markup=keyboard([("b", "é" * 33)]))
    sent = await telegram_bot.send_message(ALEX, "x", reply_markup=keyboard([("b", "é" * 32)]))
    assert sent.reply_markup is not None


async def test_local_api_inline_buttons_need_exactly_one_action(
    local_bot_api: LocalBotApiServer, alex: Any
) -> None:
    status, body = await raw_call(
        local_bot_api,
        "sendMessage",
        chat_id=ALEX,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "just text"}]]},
    )
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    }
    two_actions = {"text": "both", "callback_data": "a", "url": "https://example.org"}
    status, body = await raw_call(
        local_bot_api,
        "sendMessage",
        chat_id=ALEX,
        text="x",
        reply_markup={"inline_keyboard": [[two_actions]]},
    )
    assert status == 400
    assert "exactly one" in body["description"]


async def test_local_api_rejects_more_than_100_inline_buttons(telegram_bot: Bot, alex: Any) -> None:
    rows = [[(f"{r}-{c}", f"{r}-{c}") for c in range(8)] for r in range(13)]  # 104 buttons
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await telegram_bot.send_message(ALEX, "x", reply_markup=keyboard(*rows))
    assert await telegram_bot.send_message(ALEX, "x", reply_markup=keyboard(*rows[:12]))


async def test_local_api_identical_edit_is_not_modified(telegram_bot: Bot, alex: Any) -> None:
    markup = keyboard([("A", "a")])
    sent = await telegram_bot.send_message(
        ALEX, "<b>Same</b>", parse_mode="HTML", reply_markup=markup
    )
    with pytest.raises(BadRequest, match="Message is not modified: specified new message content"):
        await telegram_bot.edit_message_text(
            "<b>Same</b>", ALEX, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await telegram_bot.edit_message_reply_markup(ALEX, sent.message_id, reply_markup=markup)
    # Same text, other formatting: that is a modification.
    assert await telegram_bot.edit_message_text("Same", ALEX, sent.message_id, reply_markup=markup)


async def test_local_api_rejects_edits_and_deletes_of_unknown_messages(
    telegram_bot: Bot, alex: Any
) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await telegram_bot.edit_message_text("x", ALEX, 999)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await telegram_bot.delete_message(ALEX, 999)
    users_own = await alex.send_text("hello")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await telegram_bot.edit_message_text("x", ALEX, users_own.message_id)
    sent = await telegram_bot.send_message(ALEX, "bye")
    await telegram_bot.delete_message(ALEX, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await telegram_bot.delete_message(ALEX, sent.message_id)


async def test_local_api_unknown_chat_is_not_found(telegram_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await telegram_bot.send_message(424242, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await telegram_bot.get_chat(424242)


async def test_local_api_wrong_token_is_401_and_unknown_method_404(
    local_bot_api: LocalBotApiServer,
) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:wrong-token", base_url=local_bot_api.base_url):
            pass
    status, body = await raw_call(local_bot_api, "sendTelepathy", chat_id=ALEX)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    url = f"{local_bot_api.base_url}123456:wrong-token/getMe"
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"


async def test_local_api_accepts_plain_json_bodies(
    local_bot_api: LocalBotApiServer, alex: Any
) -> None:
    status, body = await raw_call(
        local_bot_api,
        "sendMessage",
        chat_id=ALEX,
        text="*Hi*",
        parse_mode="MarkdownV2",
        reply_markup={"inline_keyboard": [[{"text": "Ok", "callback_data": "ok"}]]},
    )
    assert status == 200
    message = Message.de_json(body["result"], None)
    assert message.text == "Hi"
    assert message.entities[0].type == "bold"
    assert local_bot_api.calls_to("sendMessage")[0].params["reply_markup"]["inline_keyboard"]
    status, body = await raw_call(local_bot_api, "sendMessage", chat_id=str(ALEX), text=4096)
    assert (status, body["result"]["text"]) == (200, "4096")


# --- getUpdates -------------------------------------------------------------------------


async def test_local_api_long_poll_returns_as_soon_as_an_update_arrives(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    poll = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await local_bot_api.calls.wait_until(lambda: local_bot_api.state.queue.is_polling)
    started = time.monotonic()
    await alex.send_text("hello")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_local_api_get_updates_respects_offset_and_limit(
    telegram_bot: Bot, alex: Any
) -> None:
    for text in ("one", "two", "three"):
        await alex.send_text(text)
    first = await telegram_bot.get_updates(limit=1)
    assert [u.message.text for u in first] == ["one"]
    rest = await telegram_bot.get_updates(offset=first[0].update_id + 1)
    assert [u.message.text for u in rest] == ["two", "three"]
    assert await telegram_bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()


async def test_local_api_allowed_updates_filters_update_types(telegram_bot: Bot, alex: Any) -> None:
    await telegram_bot.send_message(ALEX, "Pick", reply_markup=keyboard([("A", "a")]))
    assert await telegram_bot.get_updates(allowed_updates=["callback_query"]) == ()
    await alex.send_text("ignored")
    await alex.press("A")
    updates = await telegram_bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == ["a"]
    assert all(u.message is None for u in updates)


async def test_local_api_newer_get_updates_ends_older_with_conflict(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot
) -> None:
    first = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await local_bot_api.calls.wait_until(lambda: local_bot_api.state.queue.is_polling)
    status, body = await raw_call(local_bot_api, "getUpdates", timeout=0)  # a second instance
    assert (status, body) == (200, {"ok": True, "result": []})
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


# --- flood limits -----------------------------------------------------------------------


async def test_local_api_31st_send_within_a_second_gets_429() -> None:
    clock = FrozenClock()
    async with LocalBotApiServer(clock=clock) as server:
        for user_id in range(1, 32):
            server.user(user_id)
        async with Bot(server.token, base_url=server.base_url) as bot:
            for user_id in range(1, 31):
                await bot.send_message(user_id, "alert")
            with pytest.raises(RetryAfter) as error:
                await bot.send_message(31, "alert")
            assert error.value.retry_after == timedelta(seconds=1)
            failed = server.calls_to("sendMessage")[-1]
            assert failed.response["parameters"] == {"retry_after": 1}
            assert failed.description == "Too Many Requests: retry after 1"
            clock.now += 1.0
            assert await bot.send_message(31, "alert")
        assert server.flood_violations == 0


async def test_local_api_counts_per_chat_limit_violations() -> None:
    clock = FrozenClock()
    async with LocalBotApiServer(clock=clock) as server:
        server.user(1)
        server.user(2)
        async with Bot(server.token, base_url=server.base_url) as bot:
            await bot.send_message(1, "a")
            await bot.send_message(2, "a")
            assert server.flood_violations == 0
            sent = await bot.send_message(1, "b")
            await bot.edit_message_text("c", 1, sent.message_id)
            assert server.flood_violations == 2
            assert server.flood.per_chat_violations == {1: 2}
            clock.now += 1.0
            await bot.send_message(1, "d")
            assert server.flood_violations == 2


async def test_local_api_per_chat_allowance_can_include_a_short_burst() -> None:
    clock = FrozenClock()
    async with LocalBotApiServer(clock=clock, per_chat_burst=3) as server:
        server.user(1)
        async with Bot(server.token, base_url=server.base_url) as bot:
            for text in ("answer", "venue pin", "emergency line"):
                await bot.send_message(1, text)
            assert server.flood_violations == 0
            await bot.send_message(1, "one too many")
            assert server.flood_violations == 1
            clock.now += 1.0
            await bot.send_message(1, "a second later")
            assert server.flood_violations == 1


async def test_local_api_can_enforce_the_per_chat_limit() -> None:
    async with LocalBotApiServer(clock=FrozenClock(), enforce_per_chat_limit=True) as server:
        server.user(1)
        async with Bot(server.token, base_url=server.base_url) as bot:
            await bot.send_message(1, "a")
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "b")


# --- injected faults --------------------------------------------------------------------


async def test_local_api_injected_errors_fail_the_next_calls_only(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    local_bot_api.fail_next("sendMessage", FaultKind.BLOCKED)
    local_bot_api.fail_next("sendMessage", FaultKind.SERVER_ERROR, status=502)
    local_bot_api.fail_next("sendMessage", FaultKind.FLOOD, retry_after=7)
    local_bot_api.fail_next("sendMessage", FaultKind.CHAT_NOT_FOUND)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await telegram_bot.send_message(ALEX, "1")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await telegram_bot.send_message(ALEX, "2")
    with pytest.raises(RetryAfter) as flood:
        await telegram_bot.send_message(ALEX, "3")
    assert flood.value.retry_after == timedelta(seconds=7)
    with pytest.raises(BadRequest, match="Chat not found"):
        await telegram_bot.send_message(ALEX, "4")
    assert (await telegram_bot.send_message(ALEX, "5")).text == "5"
    assert [c.fault for c in local_bot_api.calls_to("sendMessage")] == [
        "blocked",
        "server_error",
        "flood",
        "chat_not_found",
        None,
    ]
    assert alex.transcript().texts() == ["5"]


async def test_local_api_faults_can_target_one_chat(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot
) -> None:
    local_bot_api.user(1)
    local_bot_api.user(2)
    local_bot_api.fail_next(kind="blocked", chat_id=2, times=2)
    assert await telegram_bot.send_message(1, "fine")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await telegram_bot.send_chat_action(2, "typing")
    assert await telegram_bot.send_message(2, "fine again")


async def test_local_api_timeout_records_whether_it_was_delivered(
    local_bot_api: LocalBotApiServer, alex: Any
) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(local_bot_api.token, base_url=local_bot_api.base_url, request=request) as bot:
        local_bot_api.fail_next("sendMessage", FaultKind.TIMEOUT, deliver=True)
        with pytest.raises(TimedOut):
            await bot.send_message(ALEX, "arrived anyway")
        local_bot_api.fail_next("sendMessage", FaultKind.TIMEOUT, deliver=False)
        with pytest.raises(TimedOut):
            await bot.send_message(ALEX, "lost")
    calls = local_bot_api.calls_to("sendMessage")
    assert [(c.timed_out, c.delivered) for c in calls] == [(True, True), (True, False)]
    assert alex.transcript().texts() == ["arrived anyway"]


def test_local_api_random_faults_repeat_with_the_same_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        fault = Fault(FaultKind.FLOOD, times=None, probability=0.3, seed=seed)
        return [fault.matches("sendMessage", ALEX) for _ in range(50)]

    assert pattern(7) == pattern(7)
    assert 5 < sum(pattern(7)) < 25
    assert pattern(7) != pattern(8)


async def test_local_api_blocked_user_gets_403_and_bot_hears_of_it(
    telegram_bot: Bot, alex: Any
) -> None:
    await alex.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await telegram_bot.send_message(ALEX, "still there?")
    [update] = await telegram_bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


# --- webhook ----------------------------------------------------------------------------


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[tuple[str, asyncio.Queue[Any]]]:
    """A loopback HTTP endpoint that queues (headers, JSON body) of each POST it gets."""
    received: asyncio.Queue[Any] = asyncio.Queue()

    async def handle(request: web.Request) -> web.Response:
        await received.put((dict(request.headers), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/hook", received
    await runner.cleanup()


async def test_local_api_webhook_delivers_updates_with_the_secret_header(
    local_bot_api: LocalBotApiServer,
    telegram_bot: Bot,
    alex: Any,
    webhook_receiver: tuple[str, asyncio.Queue[Any]],
) -> None:
    url, received = webhook_receiver
    waiting = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await local_bot_api.calls.wait_until(lambda: local_bot_api.state.queue.is_polling)
    status, body = await raw_call(local_bot_api, "setWebhook", url=url, secret_token="night-safe_1")
    assert (status, body["description"]) == (200, "Webhook was set")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await waiting
    await alex.send_text("hello hook")
    headers, body = await asyncio.wait_for(received.get(), 5)
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "night-safe_1"
    assert Update.de_json(body, telegram_bot).message.text == "hello hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await telegram_bot.get_updates()
    info = await telegram_bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (url, 0)
    assert await telegram_bot.delete_webhook()
    await alex.send_text("back to polling")
    [update] = await telegram_bot.get_updates()
    assert update.message.text == "back to polling"


# --- the simulated user -----------------------------------------------------------------


async def test_local_api_press_sends_callback_queries_real_and_forged(
    telegram_bot: Bot, alex: Any
) -> None:
    menu = await telegram_bot.send_message(ALEX, "Menu", reply_markup=keyboard([("Yes", "y:1")]))
    by_label = await alex.press("Yes")
    by_data = await alex.press("y:1")
    forged = await alex.press(data="admin:approve:7")
    ghost = await alex.press(data="y:1", message_id=999)
    updates = await telegram_bot.get_updates()
    queries = [u.callback_query for u in updates]
    assert [q.id for q in queries] == [by_label, by_data, forged, ghost]
    assert [q.data for q in queries] == ["y:1", "y:1", "admin:approve:7", "y:1"]
    assert queries[0].message.message_id == menu.message_id
    assert not queries[3].message.is_accessible  # Telegram sends date 0 for such a message
    assert await telegram_bot.answer_callback_query(by_label, text="Saved")
    assert (await alex.callback_answer(by_label))["text"] == "Saved"
    assert alex.transcript().answers() == ["Saved"]
    with pytest.raises(BadRequest, match="Query is too old"):
        await telegram_bot.answer_callback_query(by_label, text="again")
    with pytest.raises(LookupError):
        await alex.press("No such button")


async def test_local_api_inline_query_round_trip(telegram_bot: Bot, alex: Any) -> None:
    query_id = await alex.inline_query("soho", location=(51.513, -0.131))
    [update] = await telegram_bot.get_updates()
    assert update.inline_query.query == "soho"
    assert update.inline_query.location.latitude == 51.513
    result = InlineQueryResultArticle(
        "h1", "Soho Haven", InputTextMessageContent("<b>Soho Haven</b>", parse_mode="HTML")
    )
    assert await telegram_bot.answer_inline_query(query_id, [result])
    answer = await alex.inline_answer(query_id)
    assert answer["results"][0]["title"] == "Soho Haven"


async def test_local_api_inline_results_are_checked_like_messages(
    telegram_bot: Bot, alex: Any
) -> None:
    query_id = await alex.inline_query("soho")
    broken = InlineQueryResultArticle(
        "h1", "Soho", InputTextMessageContent("<p>Soho</p>", parse_mode="HTML")
    )
    with pytest.raises(BadRequest, match='unsupported start tag "p"'):
        await telegram_bot.answer_inline_query(query_id, [broken])


async def test_local_api_user_live_location_arrives_as_edited_messages(
    telegram_bot: Bot, alex: Any
) -> None:
    await alex.send_location(51.5101, -0.1340, live_period=900)
    await alex.move_live_location(51.5110, -0.1330)
    await alex.stop_live_location()
    updates = await telegram_bot.get_updates()
    assert updates[0].message.location.live_period == timedelta(seconds=900)
    moved, stopped = updates[1].edited_message, updates[2].edited_message
    assert (moved.location.latitude, moved.location.longitude) == (51.511, -0.133)
    assert stopped.location.live_period is None
    assert moved.message_id == updates[0].message.message_id


async def test_local_api_transcript_shows_what_the_user_sees(telegram_bot: Bot, alex: Any) -> None:
    await alex.send_command("/start")
    menu = await telegram_bot.send_message(ALEX, "Nearest:", reply_markup=keyboard([("More", "m")]))
    note = await telegram_bot.send_message(ALEX, "Searching…")
    await telegram_bot.send_venue(ALEX, 51.5115, -0.1318, "Soho Haven", "1 Greek St")
    await telegram_bot.delete_message(ALEX, note.message_id)
    await telegram_bot.edit_message_reply_markup(ALEX, menu.message_id, reply_markup=None)
    await telegram_bot.pin_chat_message(ALEX, menu.message_id)
    assert alex.transcript().render().splitlines() == [
        "user #1: /start",
        "bot  #2 (edited) (pinned): Nearest:",
        "bot  #4: 📍 Soho Haven — 1 Greek St 51.51150, -0.13180",
    ]


# --- the real Application ---------------------------------------------------------------


async def test_local_api_real_application_answers_a_user(
    local_bot_api: LocalBotApiServer,
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            f"You said: <b>{html.escape(update.effective_message.text)}</b>"
        )

    application = (
        Application.builder().token(local_bot_api.token).base_url(local_bot_api.base_url).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    alex = local_bot_api.user(ALEX, "Alex")
    async with polling(application):
        await alex.send_text("fish & <chips>")
        reply = await alex.next_reply()
    assert reply.text == "You said: fish & <chips>"
    assert reply.entities[0]["type"] == "bold"
    assert local_bot_api.flood_violations == 0


async def test_local_api_copy_forward_and_reply_keep_content(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    sam = 2002
    question = await alex.send_text("Is Soho Haven open?")
    original = await telegram_bot.send_message(
        ALEX, "Open till 4", reply_parameters=ReplyParameters(question.message_id)
    )
    assert original.reply_to_message is not None
    assert original.reply_to_message.text == "Is Soho Haven open?"
    local_bot_api.user(sam, "Sam")  # the bot can only write to someone who started it
    copied = await telegram_bot.copy_message(sam, ALEX, original.message_id)
    forwarded = await telegram_bot.forward_message(sam, ALEX, original.message_id)
    assert copied.message_id == 1
    assert forwarded.forward_origin is not None
    assert forwarded.text == "Open till 4"
    assert local_bot_api.transcript(sam).texts() == ["Open till 4", "Open till 4"]


async def test_local_api_webhook_failures_are_reported_and_kept(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    await telegram_bot.set_webhook(f"http://127.0.0.1:{dead_port}/hook")
    await alex.send_text("anyone there?")
    hook = local_bot_api.state.webhook
    assert hook is not None
    await local_bot_api.calls.wait_until(lambda: hook.last_error_message)
    info = await telegram_bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None
    assert info.last_error_message.startswith("Connection error")
    with pytest.raises(BadRequest, match="loopback"):
        await telegram_bot.set_webhook("https://example.org/hook")


async def test_local_api_unknown_file_id_is_rejected(
    local_bot_api: LocalBotApiServer, telegram_bot: Bot, alex: Any
) -> None:
    assert await refusal(local_bot_api, telegram_bot.get_file("nope")) == (
        "Bad Request: invalid file_id"
    )
    by_id = telegram_bot.send_photo(ALEX, "AgACAgQAAxkBAAIB")
    assert await refusal(local_bot_api, by_id) == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )


async def test_local_api_real_application_handles_a_button_press(
    local_bot_api: LocalBotApiServer,
) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Alerts?", reply_markup=keyboard([("Subscribe", "sub:on")])
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Subscribed")
        await query.edit_message_text("You will get alerts.")

    application = (
        Application.builder().token(local_bot_api.token).base_url(local_bot_api.base_url).build()
    )
    application.add_handler(CommandHandler("alerts", menu))
    application.add_handler(CallbackQueryHandler(pressed, pattern="^sub:"))
    alex = local_bot_api.user(ALEX, "Alex")
    async with polling(application):
        await alex.send_command("/alerts")
        await alex.next_reply()
        query_id = await alex.press("Subscribe")
        assert (await alex.callback_answer(query_id))["text"] == "Subscribed"
        await local_bot_api.wait_for(
            lambda calls: any(c.method == "editMessageText" for c in calls)
        )
    [shown] = [m for m in alex.transcript().messages if m.from_bot]
    assert shown.text == "You will get alerts."
    assert shown.buttons == []
