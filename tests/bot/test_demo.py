"""`python bot.py demo`: the whole demo as a person at a terminal uses it (a real
subprocess, driven line by line), and its pieces: reading typed lines, showing
the chat, the movable clock, staff, and messages the bot sends on its own."""

from __future__ import annotations

import asyncio
import csv
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.demo_chat import DemoChat
from bot.demo_input import (
    BecomeStaff,
    DemoInputError,
    Nothing,
    PressButton,
    PressKey,
    Quit,
    SendText,
    SetClock,
    ShareLocation,
    ShareNamedPlace,
    ShowClock,
    parse_at,
    parse_line,
    parse_loc,
)
from bot.demo_view import BoardButton, ChatView, KeyButton, render_message
from bot.demo_world import DemoClock, running_demo
from bot.local_api import ChatEvent, ChatMessage
from bot.local_api.html_mode import parse_html
from bot.settings import PROJECT_ROOT, Settings
from bot.texts import t
from venues.model import Point

LONDON = ZoneInfo("Europe/London")
# Tuesday 24 November 2026, 18:00 in London.
TUESDAY_EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=LONDON)
DEMO_VENUE = "Demo Safe Haven — Leicester Square"
WAIT_SECONDS = 15.0


def _plain(key: str, **values: object) -> str:
    return parse_html(t(key, "en", **values)).text


def _demo_row(name: str) -> dict[str, str]:
    with (PROJECT_ROOT / "data" / "demo_venues.csv").open(encoding="utf-8") as file:
        return next(row for row in csv.DictReader(file) if row["name"] == name)


# --- the demo as a subprocess, driven like a person would -------------------------------


class DemoProcess:
    """`python bot.py demo` with its stdin and stdout in our hands; every wait has a
    deadline, and the process is killed if it outlives the test."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE"))}
        env["NIGHTSAFE_PER_CHAT_SEND_RATE"] = "1000"  # pacing has its own tests
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "bot.py"), "demo", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, pattern: str) -> re.Match[str]:
        """The first line from here on matching `pattern` (AssertionError if none comes)."""
        while True:
            try:
                line = self._lines.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                raise AssertionError(f"no {pattern!r} within {WAIT_SECONDS}s") from None
            if line is None:
                raise AssertionError(f"the demo ended without showing {pattern!r}")
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found

    def finish(self) -> tuple[int, str]:
        """Exit code and stderr once the process ends by itself."""
        assert self.process.stdin is not None
        assert self.process.stderr is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=WAIT_SECONDS)
        return code, self.process.stderr.read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=WAIT_SECONDS)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoProcess]:
    process = DemoProcess(tmp_path)
    try:
        yield process
    finally:
        process.close()


def test_demo_a_saturday_night_chat_in_the_terminal(demo: DemoProcess, tmp_path: Path) -> None:
    venue = _demo_row(DEMO_VENUE)
    assert "Sa 22:00-04:00" in venue["opening_hours"]  # what the test relies on
    demo.expect(r"/loc LAT LON")  # the banner explains the commands

    demo.type("/at sat 23:40")
    demo.expect(r"demo clock: Sat .* 23:40")
    demo.type("/start")
    demo.expect(re.escape(_plain("start.intro", partnership="x").splitlines()[1]))
    keyboard = demo.expect(r"keyboard: .*\[a\] 📍").string
    assert "[b] " + _plain("keyboard.emergency") in keyboard

    demo.type("/loc 51.5103 -0.1301")
    demo.expect(re.escape(f"📍 {DEMO_VENUE} — {venue['address']}"))
    pin = f"at {float(venue['latitude']):.5f}, {float(venue['longitude']):.5f}"
    demo.expect(re.escape(pin))
    demo.expect(re.escape(DEMO_VENUE))
    demo.expect(r"open until 04:00")
    more = demo.expect(r"\[(\d+)\] " + re.escape(_plain("button.more")))
    demo.type(more.group(1))
    demo.expect(re.escape(f"(you press {_plain('button.more')})"))
    demo.expect(r"^NightSafe \(edited\):$")
    demo.expect(r"^\s+6\. ")  # "More" lists more than the first five

    demo.type("lester sqare")
    title = _plain("nearby.title_place", place="Leicester Square", time="")
    demo.expect(re.escape(title.split(" · ")[0]))
    demo.type("/quit")
    demo.expect(r"^Bye\.$")

    code, stderr = demo.finish()
    assert code == 0
    assert stderr == ""  # quiet: no logs, no warnings
    assert not (tmp_path / "nightsafe.db").exists()  # ./nightsafe.db is never touched


def test_demo_ends_cleanly_at_the_end_of_input(demo: DemoProcess) -> None:
    demo.type("/emergency")
    demo.expect("999")
    assert demo.process.stdin is not None
    demo.process.stdin.close()  # Ctrl-D
    demo.expect(r"^Bye\.$")
    assert demo.finish() == (0, "")


def test_demo_refuses_the_bots_own_database(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bot.py"), "demo", "--database", "nightsafe.db"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert finished.returncode == 1
    assert "bot's own database" in finished.stderr
    assert not (tmp_path / "nightsafe.db").exists()


# --- reading what is typed -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/loc 51.5103 -0.1301", ShareLocation(Point(51.5103, -0.1301))),
        ("/loc 51.5103, -0.1301", ShareLocation(Point(51.5103, -0.1301))),
        ("/loc  -33.9,151.2 ", ShareLocation(Point(-33.9, 151.2))),
        ("/loc leicester square", ShareNamedPlace("leicester square")),
        ("/loc W1D 3QU", ShareNamedPlace("W1D 3QU")),
        ("3", PressButton(3)),
        ("B", PressKey("b")),
        ("/staff", BecomeStaff()),
        ("/quit", Quit()),
        ("   ", Nothing()),
        ("/at", ShowClock()),
        ("/start", SendText("/start")),
        ("lester sqare", SendText("lester sqare")),
        ("  my drink was spiked ", SendText("my drink was spiked")),
    ],
)
def test_parse_line_reads_demo_commands_and_chat(typed: str, expected: object) -> None:
    assert parse_line(typed, now=TUESDAY_EVENING) == expected


@pytest.mark.parametrize("argument", ["", "91 0", "0 181", "-90.5, 10", "0.5 -180.01"])
def test_parse_loc_refuses_what_no_phone_would_share(argument: str) -> None:
    with pytest.raises(DemoInputError, match="/loc"):
        parse_loc(argument)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("sat 23:40", datetime(2026, 11, 28, 23, 40, tzinfo=LONDON)),
        ("Saturday 23.40", datetime(2026, 11, 28, 23, 40, tzinfo=LONDON)),
        ("tue 17:00", datetime(2026, 11, 24, 17, 0, tzinfo=LONDON)),  # today counts
        ("mon 01:30", datetime(2026, 11, 30, 1, 30, tzinfo=LONDON)),
        ("23:40", datetime(2026, 11, 24, 23, 40, tzinfo=LONDON)),
        ("tomorrow 2:05", datetime(2026, 11, 25, 2, 5, tzinfo=LONDON)),
        ("2027-06-19 23:40", datetime(2027, 6, 19, 23, 40, tzinfo=LONDON)),
        ("now", None),
    ],
)
def test_parse_at_reads_local_moments(argument: str, expected: datetime | None) -> None:
    assert parse_at(argument, now=TUESDAY_EVENING) == SetClock(expected)


def test_parse_at_reads_summer_dates_as_london_summer_time() -> None:
    moment = parse_at("2027-06-19 23:40", now=TUESDAY_EVENING).moment
    assert moment is not None
    assert moment.astimezone(UTC) == datetime(2027, 6, 19, 22, 40, tzinfo=UTC)


@pytest.mark.parametrize("argument", ["sat", "t 10:00", "2026-13-01 10:00", "sat 24:00", "x y z"])
def test_parse_at_explains_its_usage(argument: str) -> None:
    with pytest.raises(DemoInputError, match="usage: /at"):
        parse_at(argument, now=TUESDAY_EVENING)


# --- showing the chat ------------------------------------------------------------------------


def _bot_message(message_id: int, **content: object) -> ChatMessage:
    api = {"message_id": message_id, "chat": {"id": 1001}, "date": 0, **content}
    return ChatMessage(api=api, from_bot=True)


def _keyboard(*rows: list[dict[str, str]]) -> dict[str, object]:
    return {"inline_keyboard": list(rows)}


def _pressed(view: ChatView, number: int) -> BoardButton:
    button = view.button(number)
    assert button is not None, f"no button {number}"
    return button


def _key(view: ChatView, letter: str) -> KeyButton:
    key = view.key(letter)
    assert key is not None, f"no key {letter}"
    return key


def test_render_message_numbers_buttons_row_by_row() -> None:
    message = _bot_message(
        1,
        text="Open near you now\n\n1. Demo Bar",
        reply_markup=_keyboard(
            [
                {"text": "Directions", "url": "https://example.org/d"},
                {"text": "More", "callback_data": "n|m"},
            ],
            [{"text": "Toilets", "callback_data": "n|t"}],
        ),
    )
    assert render_message(message, first_number=4) == [
        "   Open near you now",
        "",
        "   1. Demo Bar",
        "   [4] Directions ↗   [5] More",
        "   [6] Toilets",
    ]


def test_render_message_shows_pins_photos_and_documents() -> None:
    venue = _bot_message(
        1,
        venue={
            "title": "Demo <Bar> & Grill",
            "address": "1 Dean Street",
            "location": {"latitude": 51.5104, "longitude": -0.1296},
        },
    )
    photo = _bot_message(2, photo=[{"file_size": 10}, {"file_size": 2048}], caption="Poster")
    document = _bot_message(3, document={"file_name": "venues.csv", "file_size": 512})
    assert render_message(venue) == [
        "   📍 Demo <Bar> & Grill — 1 Dean Street",
        "      at 51.51040, -0.12960",
    ]
    assert render_message(photo) == ["   [photo: 2048 bytes]", "   Poster"]
    assert render_message(document) == ["   [document venues.csv: 512 bytes]"]


def test_chat_view_numbers_the_buttons_of_one_turn_and_starts_again_after_the_next() -> None:
    view = ChatView()
    first = _bot_message(1, text="a", reply_markup=_keyboard([{"text": "A", "callback_data": "a"}]))
    second = _bot_message(
        2, text="b", reply_markup=_keyboard([{"text": "B", "callback_data": "b"}])
    )
    messages = {1: first, 2: second}
    events = [ChatEvent("sent", 1), ChatEvent("sent", 2)]
    shown = view.render_new(events, messages, None)
    assert shown[-3:] == ["NightSafe:", "   b", "   [2] B"]
    assert _pressed(view, 2).callback_data == "b"

    view.user_acted()
    assert _pressed(view, 1).label == "A"  # still pressable until something new is shown
    third = _bot_message(3, text="c", reply_markup=_keyboard([{"text": "C", "callback_data": "c"}]))
    messages[3] = third
    events.append(ChatEvent("sent", 3))
    assert view.render_new(events, messages, None)[-1] == "   [1] C"
    assert _pressed(view, 1).label == "C"
    assert view.button(2) is None


def test_chat_view_shows_an_edit_once_and_the_answers_to_presses() -> None:
    view = ChatView()
    message = _bot_message(1, text="five places")
    events = [ChatEvent("sent", 1)]
    view.render_new(events, {1: message}, None)
    message.versions.append(dict(message.api))
    message.api["text"] = "ten places"
    events += [
        ChatEvent("edited", 1),
        ChatEvent("toast", 1, "Updated"),
        ChatEvent("alert", 1, "Gone"),
    ]
    shown = view.render_new(events, {1: message}, None)
    assert shown == ["NightSafe (edited):", "   ten places", "   💬: Updated", "   ⚠️  alert: Gone"]
    assert view.render_new(events, {1: message}, None) == []


def test_chat_view_letters_the_reply_keyboard_and_explains_sharing_a_location() -> None:
    view = ChatView()
    keyboard = {
        "keyboard": [
            [{"text": "📍 Share my location", "request_location": True}],
            [{"text": "🆘 Emergency"}, "⭐ Night Stars"],
        ]
    }
    shown = view.render_new([], {}, keyboard)
    assert (
        shown[0] == "   keyboard: [a] 📍 Share my location   [b] 🆘 Emergency   [c] ⭐ Night Stars"
    )
    assert "/loc" in shown[1]
    assert _key(view, "a").requests_location
    assert _key(view, "c").label == "⭐ Night Stars"
    assert view.render_new([], {}, keyboard) == []  # shown again only when it changes
    assert view.render_new([], {}, None) == ["   (keyboard removed)"]


def test_demo_clock_moves_to_a_moment_and_runs_on_from_there() -> None:
    clock = DemoClock()
    saturday = datetime(2026, 11, 28, 23, 40, tzinfo=LONDON)
    clock.move_to(saturday)
    assert timedelta(0) <= clock() - saturday < timedelta(seconds=5)
    clock.move_to(None)
    assert abs(clock() - datetime.now(UTC)) < timedelta(seconds=5)


# --- the demo chat in process: staff, and what the bot says on its own ------------------------


@pytest.fixture
async def demo_chat(tmp_path: Path) -> AsyncIterator[tuple[DemoChat, list[str], asyncio.Event]]:
    settings = Settings(_env_file=None, NIGHTSAFE_PER_CHAT_SEND_RATE=1000)
    shown: list[str] = []
    printed = asyncio.Event()

    def write(text: str) -> None:
        shown.append(text)
        printed.set()

    async with running_demo(settings, tmp_path / "demo.db") as world:
        chat = DemoChat(world, write)
        chat.start_watching()
        try:
            yield chat, shown, printed
        finally:
            await chat.stop_watching()


async def test_demo_staff_command_lets_the_demo_user_try_staff_commands(
    demo_chat: tuple[DemoChat, list[str], asyncio.Event],
) -> None:
    chat, shown, _ = demo_chat
    await chat.handle("/grant")
    assert _plain("access.staff_only") in shown[-1]

    await chat.handle("/staff")
    assert "you are now partnership staff" in shown[-1]
    await chat.handle("/grant")
    assert _plain("staff.grant_usage") in shown[-1]


async def test_demo_shows_what_the_bot_sends_on_its_own(
    demo_chat: tuple[DemoChat, list[str], asyncio.Event],
) -> None:
    chat, shown, printed = demo_chat
    printed.clear()
    await chat.world.application.bot.send_message(chat.world.user.id, "Road closed on Dean Street")
    await asyncio.wait_for(printed.wait(), WAIT_SECONDS)
    assert shown[-1] == "NightSafe:\n   Road closed on Dean Street"


async def test_demo_loc_with_a_place_name_shares_a_real_location(
    demo_chat: tuple[DemoChat, list[str], asyncio.Event],
) -> None:
    chat, shown, _ = demo_chat
    await chat.handle("/at sat 23:40")
    await chat.handle("/loc leicester square")
    square = chat.world.services.places.gazetteer.get("Leicester Square")
    assert square is not None
    shared = chat.world.user.chat.messages[1].api["location"]
    assert (shared["latitude"], shared["longitude"]) == (
        square.point.latitude,
        square.point.longitude,
    )
    assert any(DEMO_VENUE in text for text in shown)
