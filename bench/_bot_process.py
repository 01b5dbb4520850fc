"""One bot in its own process, for bench/updates.py: NightSafe (the real Application from
bot.app.build_application) or a minimal python-telegram-bot echo bot, polling the local
Bot API server that the parent runs.

Own process, so that `time.process_time()` here counts the bot's CPU only (all its
threads, aiosqlite's included) and none of the server's or the load generator's.

    python -m bench._bot_process nightsafe|echo|echo-pin --base-url URL --token T [--database-url U]

Talks to the parent over stdin/stdout, one line each way:
    → stdout `ready <pid> <bot package dir>` once polling (post_init done, index built)
    ← `cpu`                  → `cpu <process_time seconds>`
    ← `gc`                   → `gc <collections> <seconds in them> <longest>` since the last `gc`
    ← `profile-start`        → `ok`   (cProfile on the event loop's thread)
    ← `profile-stop PATH`    → `ok`   (stats written to PATH)
    ← `stop` or end of input → the Application stops and shuts down; the process exits
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

import bot
from bot.app import build_application
from bot.cli import PTB_TIMEDELTA
from bot.local_api.harness import polling
from bot.settings import Settings

# Saturday night in London: the clock starts here and runs at real speed, so open
# states, the hours cache and "now" in answers behave as they do live, every run alike.
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 40, tzinfo=ZoneInfo("Europe/London"))
# Telegram's ~30 messages/s is a per-token cap, not the bot's cost: lifted here so the
# bench measures the bot. Settings refuses more than 30, hence model_copy below.
LIFTED_SEND_RATE = 1_000_000.0
# Which checkout's bot/ this process runs (bench/updates.py --compare runs scratch copies).
PACKAGE = Path(bot.__file__).resolve().parent


class RunningClock:
    def __init__(self, start: datetime = SATURDAY_NIGHT) -> None:
        self._start = start
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def nightsafe_application(
    arguments: argparse.Namespace,
) -> Application[Any, Any, Any, Any, Any, Any]:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": arguments.token,
        "TELEGRAM_API_BASE_URL": arguments.base_url,
        "DATABASE_URL": arguments.database_url,
    }
    if arguments.index_check_seconds is not None:  # else the deployment's default
        values["NIGHTSAFE_INDEX_CHECK_SECONDS"] = arguments.index_check_seconds
    settings = Settings(_env_file=None, **values)
    settings = settings.model_copy(update={"global_send_rate": LIFTED_SEND_RATE})
    return build_application(settings, clock=RunningClock())


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    location = message.location if message else None
    text = f"{location.latitude:.5f}, {location.longitude:.5f}" if location else "?"
    await context.bot.send_message(update.effective_chat.id, text)


async def echo_with_pin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The same two sends as a NightSafe answer: a venue pin, then the text."""
    message = update.effective_message
    location = message.location if message else None
    if location is not None:
        await context.bot.send_venue(
            update.effective_chat.id,
            latitude=location.latitude,
            longitude=location.longitude,
            title="Here",
            address="Where you are",
        )
    await echo(update, context)


def echo_application(arguments: argparse.Namespace) -> Application[Any, Any, Any, Any, Any, Any]:
    """The framework's floor: one MessageHandler replying with send_message (echo-pin:
    a venue pin first, as NightSafe sends)."""
    application = Application.builder().token(arguments.token).base_url(arguments.base_url).build()
    callback = echo_with_pin if arguments.bot == "echo-pin" else echo
    application.add_handler(MessageHandler(filters.ALL, callback))
    return application


class GcWatch:
    """Pauses of the garbage collector: a full collection over a large heap (10k venues,
    their index) stops the event loop, which shows as a latency spike."""

    def __init__(self) -> None:
        self.collections = 0
        self.seconds = 0.0
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.collections += 1
        self.seconds += pause
        self.longest = max(self.longest, pause)

    def take(self) -> str:
        """`collections seconds longest` since the last take, and start afresh."""
        taken = f"{self.collections} {self.seconds!r} {self.longest!r}"
        self.collections, self.seconds, self.longest = 0, 0.0, 0.0
        return taken


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _in_loop(loop: asyncio.AbstractEventLoop, action: Callable[[], None]) -> None:
    """Run `action` on the event loop's thread (cProfile profiles the thread enabling it)."""

    async def run() -> None:
        action()

    asyncio.run_coroutine_threadsafe(run(), loop).result()


def _dump(profiler: cProfile.Profile, path: str) -> None:
    profiler.disable()
    profiler.dump_stats(path)


def _control(loop: asyncio.AbstractEventLoop, stop: asyncio.Event, pauses: GcWatch) -> None:
    """The parent's commands, read on a thread of their own (blocked reads cost no CPU)."""
    profiler = cProfile.Profile()
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "cpu":
            _say(f"cpu {time.process_time()!r}")
        elif command == "gc":
            _say(f"gc {pauses.take()}")
        elif command == "profile-start":
            _in_loop(loop, profiler.enable)
            _say("ok")
        elif command == "profile-stop":
            _in_loop(loop, partial(_dump, profiler, argument))
            _say("ok")
        elif command == "stop":
            break
    loop.call_soon_threadsafe(stop.set)


async def serve(arguments: argparse.Namespace) -> None:
    build = nightsafe_application if arguments.bot == "nightsafe" else echo_application
    application = build(arguments)
    stop = asyncio.Event()
    async with polling(application):
        loop = asyncio.get_running_loop()
        pauses = GcWatch()
        threading.Thread(target=_control, args=(loop, stop, pauses), daemon=True).start()
        _say(f"ready {os.getpid()} {PACKAGE}")
        await stop.wait()


def main() -> None:
    os.environ.setdefault(PTB_TIMEDELTA, "true")
    parser = argparse.ArgumentParser()
    parser.add_argument("bot", choices=["nightsafe", "echo", "echo-pin"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--index-check-seconds", type=float)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
