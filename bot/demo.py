"""`python bot.py demo`: the real NightSafe bot, offline, with a chat in the terminal.

The local Bot API server and the bot (polling it, as a deployment polls Telegram)
run on an event loop in a background thread; the terminal keeps the main thread,
so line editing and Ctrl-C behave as in any command-line program. The demo database
lives in a temporary folder unless --database names a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import threading
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import make_url

from bot.logs import configure_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.demo_chat import DemoChat

T = TypeVar("T")
PROMPT = "you › "
EXIT_OK = 0
EXIT_FAILED = 1


@dataclass(frozen=True)
class DemoOptions:
    database: Path | None = None  # None: a fresh database in a temporary folder
    staff: bool = False  # the demo user starts as partnership staff
    verbose: bool = False  # informational logs too, not only warnings


def run_demo(settings: Settings, options: DemoOptions) -> int:
    configure_logging(logging.INFO if options.verbose else logging.WARNING)
    problem = _database_problem(settings, options.database)
    if problem:
        print(f"demo: {problem}", file=sys.stderr)
        return EXIT_FAILED
    terminal = _Terminal()
    try:
        _run(settings, options, terminal)
    except KeyboardInterrupt:
        terminal.write("")  # Ctrl-C: at the prompt, while starting or answering
    terminal.write("Bye.")
    return EXIT_OK


def _run(settings: Settings, options: DemoOptions, terminal: _Terminal) -> None:
    with tempfile.TemporaryDirectory(prefix="nightsafe-demo-") as folder, _LoopThread() as loop:
        database = options.database or Path(folder) / "nightsafe-demo.db"
        stack = AsyncExitStack()
        try:
            chat = loop.run(_open(stack, settings, database, options.staff, terminal))
            terminal.write(_banner(chat, database, temporary=options.database is None))
            _converse(chat, loop, terminal)
        finally:
            terminal.at_prompt = False
            loop.run(stack.aclose())


def _database_problem(settings: Settings, database: Path | None) -> str | None:
    """Why --database FILE cannot be the demo's database (None: it can)."""
    if database is None:
        return None
    if database.is_dir():
        return f"{database} is a folder; --database wants a file"
    if not database.parent.resolve().is_dir():
        return f"{database}: no folder {database.parent}"
    own = make_url(settings.database_url)
    is_own = own.get_backend_name() == "sqlite" and bool(own.database)
    if is_own and Path(str(own.database)).resolve() == database.resolve():
        return f"{database} is the bot's own database (DATABASE_URL); give the demo its own"
    return None


async def _open(
    stack: AsyncExitStack, settings: Settings, database: Path, staff: bool, terminal: _Terminal
) -> DemoChat:
    # Imported here: the bot and its libraries load in a second or so, and Ctrl-C
    # meanwhile should end the demo as quietly as at the prompt.
    from bot.demo_chat import DemoChat
    from bot.demo_world import running_demo

    world = await stack.enter_async_context(running_demo(settings, database, staff=staff))
    chat = DemoChat(world, terminal.write)
    chat.on_unprompted = terminal.reprompt
    chat.start_watching()
    stack.push_async_callback(chat.stop_watching)
    return chat


def _converse(chat: DemoChat, loop: _LoopThread, terminal: _Terminal) -> None:
    while True:
        try:
            line = terminal.read()
        except EOFError:
            terminal.write("")
            return
        if not loop.run(chat.handle(line)):
            return


def _banner(chat: DemoChat, database: Path, *, temporary: bool) -> str:
    world = chat.world
    where = "a temporary database" if temporary else str(database)
    return "\n".join(
        [
            "NightSafe demo — the real bot, offline, on a local Bot API server "
            f"(no token, no network), for {world.services.partnership.name}.",
            f"You are {world.user.user['first_name']} (user {world.user.id}); "
            f"venues: the demo venues, in {where}.",
            f"Demo clock: {chat.clock_line()}.",
            "",
            chat.help_text(),
            "",
        ]
    )


class _Terminal:
    """The person at the keyboard: reads lines, prints the chat, keeps the prompt tidy
    when the bot says something on its own."""

    def __init__(self) -> None:
        self.interactive = sys.stdin.isatty()
        self.at_prompt = False
        self._broke_prompt = False
        if self.interactive:
            with contextlib.suppress(ImportError):  # no readline on Windows: plain input()
                import readline  # noqa: F401 - line editing and history for input()

    def read(self) -> str:
        if not self.interactive:
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            line = line.rstrip("\r\n")
            print(f"{PROMPT}{line}", flush=True)  # a script's lines, shown as if typed
            return line
        self.at_prompt, self._broke_prompt = True, False
        try:
            return input(PROMPT)
        finally:
            self.at_prompt = False

    def write(self, text: str) -> None:
        if self.at_prompt and not self._broke_prompt:
            self._broke_prompt = True
            print(flush=True)  # leave the prompt's line before the bot speaks
        print(text, flush=True)

    def reprompt(self) -> None:
        if self.at_prompt and self.interactive:
            typed = ""
            with contextlib.suppress(ImportError):
                import readline

                typed = readline.get_line_buffer()
            print(PROMPT + typed, end="", flush=True)
            self._broke_prompt = False


class _LoopThread:
    """An asyncio event loop running in a daemon thread; `run` waits for a coroutine."""

    def __enter__(self) -> _LoopThread:
        self.loop = asyncio.new_event_loop()
        self._running: asyncio.Task[Any] | None = None
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="nightsafe-demo", daemon=True
        )
        self._thread.start()
        return self

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run it on the loop and wait; Ctrl-C cancels it, and waits for it to unwind."""
        future = asyncio.run_coroutine_threadsafe(self._tracked(coroutine), self.loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            asyncio.run_coroutine_threadsafe(self._cancel_running(), self.loop).result()
            raise

    async def _tracked(self, coroutine: Coroutine[Any, Any, T]) -> T:
        self._running = asyncio.current_task()
        return await coroutine

    async def _cancel_running(self) -> None:
        task = self._running
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])

    def __exit__(self, *exc_info: object) -> None:
        self.run(self._cancel_leftovers())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

    async def _cancel_leftovers(self) -> None:
        current = asyncio.current_task()
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        await self.loop.shutdown_asyncgens()
        await self.loop.shutdown_default_executor()
