"""The demo's chat: what a typed line does (send, share, press, set the clock, become
staff) and printing what the bot answers as it arrives."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from bot.commands import ALL_COMMANDS, Audience
from bot.demo_input import (
    LOC_USAGE,
    BecomeStaff,
    DemoAction,
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
    ShowHelp,
    parse_line,
)
from bot.demo_view import INDENT, ChatView
from bot.demo_world import DemoWorld
from venues.model import Point
from venues.places import Ambiguous, Found

# Long enough for the slowest answer (the per-chat pacing waits about a second).
SETTLE_SECONDS = 30.0
Write = Callable[[str], None]

HELP = """\
Type as you would in Telegram; it is sent to the bot as {user}:
  /start, /help, /emergency, "lester sqare", "W1D 3QU" …   text and commands
  /loc LAT LON  or  /loc PLACE      share a location (/loc 51.5103 -0.1301, /loc soho)
  1, 2, …                           press an inline button by its number
  a, b, …                           press a keyboard button by its letter
  /at sat 23:40  /at 2026-11-28 23:40  /at now    set the demo clock ({zone} time)
  /at                               show the demo clock
  /staff                            make yourself partnership staff
  ?                                 show this again
  /quit                             leave (Ctrl-D and Ctrl-C too)"""


class DemoChat:
    def __init__(self, world: DemoWorld, write: Write) -> None:
        self.world = world
        self.view = ChatView(bot_name=world.server.bot_user["first_name"])
        self._write = write
        self._watcher: asyncio.Task[None] | None = None
        self.on_unprompted: Callable[[], None] = lambda: None

    # --- lifecycle ----------------------------------------------------------------------
    def start_watching(self) -> None:
        """Show what the bot sends on its own (alerts, timeouts) when it sends it."""
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    # --- one typed line -----------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """Act on one typed line and show the bot's answer; False when leaving."""
        try:
            action = parse_line(line, now=self.local_now())
        except DemoInputError as error:
            self._say(str(error))
            return True
        if isinstance(action, Quit):
            return False
        self.view.user_acted()
        acted = await self._act(action)
        if acted:
            try:
                await self.world.settle(SETTLE_SECONDS)
            except TimeoutError:
                self._say("(the bot is still busy; its answer will show when it comes)")
        self.show_new()
        return True

    async def _act(self, action: DemoAction) -> bool:
        """Do it; True when something was sent to the bot."""
        user = self.world.user
        match action:
            case SendText(text=text):
                await user.send_text(text)
            case ShareLocation(point=point):
                return await self._share(point, None)
            case ShareNamedPlace(name=name):
                return await self._share_named(name)
            case PressButton(number=number):
                return await self._press(number)
            case PressKey(letter=letter):
                return await self._press_key(letter)
            case SetClock(moment=moment):
                self.world.clock.move_to(moment)
                self._say(f"demo clock: {self.clock_line()}")
                return False
            case ShowClock():
                self._say(f"demo clock: {self.clock_line()}")
                return False
            case BecomeStaff():
                return await self._become_staff()
            case ShowHelp():
                self._write(self.help_text())
                return False
            case Nothing():
                return False
        return True

    async def _share(self, point: Point, name: str | None) -> bool:
        where = f"{name}, " if name else ""
        self._say(f"(you share your location: {where}{point.latitude:.5f}, {point.longitude:.5f})")
        await self.world.user.send_location(point.latitude, point.longitude)
        return True

    async def _share_named(self, name: str) -> bool:
        found = self.world.services.places.gazetteer.lookup(name)
        if isinstance(found, Found):
            return await self._share(found.point, found.name)
        if isinstance(found, Ambiguous):
            names = "; ".join(candidate.name for candidate in found.candidates)
            self._say(f"which one? {names} — say it in full: /loc NAME")
        else:
            self._say(f"no place {name!r} in the gazetteer; {LOC_USAGE}")
        return False

    async def _press(self, number: int) -> bool:
        button = self.view.button(number)
        if button is None:
            self._say(f"there is no button {number} — the numbers are in [brackets]")
            return False
        if button.url is not None:
            self._say(f"(your browser would open {button.url})")
            return False
        if button.callback_data is None:
            self._say("(that kind of button does nothing in the demo)")
            return False
        self._say(f"(you press {button.label})")
        try:
            await self.world.user.press(button.callback_data, message_id=button.message_id)
        except LookupError:
            self._say("(that button is no longer there)")
            return False
        return True

    async def _press_key(self, letter: str) -> bool:
        key = self.view.key(letter)
        if key is None:
            await self.world.user.send_text(letter)  # a one-letter message, as typed
            return True
        if key.requests_location:
            self._say(f"(in Telegram this shares where you are; here: {LOC_USAGE})")
            return False
        self._say(f"(you press {key.label})")
        await self.world.user.send_text(key.label)
        return True

    async def _become_staff(self) -> bool:
        granted = await self.world.make_staff()
        staff = " ".join(f"/{c.name}" for c in ALL_COMMANDS if c.audience is Audience.STAFF)
        state = "you are now" if granted else "you already are"
        self._say(f"({state} partnership staff: try {staff})")
        return False

    # --- what the terminal shows ----------------------------------------------------------
    def show_new(self) -> bool:
        """Print what the bot did since the last call; True when there was something."""
        chat = self.world.user.chat
        lines = self.view.render_new(chat.events, chat.messages, chat.reply_keyboard)
        if lines:
            self._write("\n".join(lines))
        return bool(lines)

    async def _watch(self) -> None:
        chat = self.world.user.chat
        calls = self.world.server.calls
        while True:
            with contextlib.suppress(TimeoutError):
                await calls.wait_until(
                    lambda: self.view.has_news(chat.events, chat.reply_keyboard), 3600
                )
            if self.show_new():
                self.on_unprompted()

    def local_now(self) -> datetime:
        return self.world.clock().astimezone(self.world.services.zone)

    def clock_line(self) -> str:
        moment = self.local_now()
        shifted = "" if self.world.clock.offset else " (the real time)"
        return f"{moment:%a %d %b %Y %H:%M} {moment.tzname()}{shifted}"

    def help_text(self) -> str:
        return HELP.format(user=self.world.user.user["first_name"], zone=self.world.services.zone)

    def _say(self, text: str) -> None:
        self._write(f"{INDENT}{text}")
