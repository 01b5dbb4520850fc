"""Where a bot's CPU goes, from py-spy's raw (collapsed) stacks, for bench/updates.py.

Each sample is a stack of CPU-active frames ("function (file:line)", root first). A
sample belongs to the FIRST step in STEPS found anywhere on its stack: a step claims
everything it calls (a send claims its HTTP, JSON and rate limiting; the router its
SQL), so order matters. Separately, each sample counts for the library of its leaf
frame (where the time is actually spent).
"""

from __future__ import annotations

import linecache
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")

Frames = list[tuple[str, str]]


@dataclass(frozen=True)
class Step:
    label: str
    file: str  # a path fragment the frame's file must contain
    function: str | None = None  # and, if given, how the frame's function name ends
    unless: str | None = None  # not when a frame's file on the stack contains this

    def matches(self, frames: Frames) -> bool:
        if self.unless and any(self.unless in file for _, file in frames):
            return False
        return any(
            self.file in file and (self.function is None or function.endswith(self.function))
            for function, file in frames
        )


# First match wins; a step claims what it calls.
STEPS = [
    Step("aiosqlite worker thread (SQLite itself)", "aiosqlite/core.py", "_worker_thread"),
    Step("rate limiter itself (ChatPacer, AIORateLimiter)", "ratelimit", unless="/request/"),
    Step("send: venue pin (sendVenue, HTTP, JSON)", "telegram/", ".send_venue"),
    Step("send: text (sendMessage, HTTP, JSON)", "telegram/", ".send_message"),
    Step("PTB: getUpdates + Update parsing (updater)", "telegram/ext/_updater.py"),
    Step("conversation router: DB read per update", "bot/conversation.py"),
    Step("catalogue: register version check (SQL)", "venues/catalogue.py"),
    Step("flood gate", "bot/handlers/flood.py"),
    Step("emergency check", "bot/handlers/emergency.py"),
    Step("nearby search (index, opening hours)", "venues/nearby.py"),
    Step("render: text + keyboard (incl. texts.t)", "bot/render/"),
    Step("texts: t() outside render", "bot/texts.py"),
    Step("on_location handler (own code)", "bot/handlers/locate.py"),
    Step("PTB: dispatch (handler checks, context)", "telegram/ext/_application.py"),
    Step("job queue (APScheduler)", "apscheduler/"),
    # SQLAlchemy's asyncio layer runs in greenlets: py-spy sees the SQL work without the
    # handler that asked for it (the router's read, the version check, session close).
    Step("database: SQLAlchemy + aiosqlite (caller off the stack)", "sqlalchemy/"),
    Step("database: SQLAlchemy + aiosqlite (caller off the stack)", "aiosqlite/"),
]
# Leaves that are a thread waiting, not working (py-spy's blocking mode may count them):
# (file fragment, text of the waiting source line).
WAITING = [
    ("aiosqlite/core.py", "tx.get("),  # aiosqlite's worker waiting for work
    ("bench/_bot_process.py", "sys.stdin"),  # the bench's control thread
    ("selectors.py", ".poll("),  # the event loop waiting in epoll
]
OTHER = "event loop, I/O callbacks, other"

LIBRARIES = [
    ("telegram/", "python-telegram-bot"),
    ("httpx/", "httpx"),
    ("httpcore/", "httpcore"),
    ("h11/", "h11"),
    ("anyio/", "anyio"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("aiosqlite/", "aiosqlite"),
    ("sqlite3/", "sqlite3"),
    ("asyncio/", "asyncio"),
    ("json/", "json"),
    ("/bot/", "NightSafe bot/"),
    ("/venues/", "NightSafe venues/"),
    ("opening_hours", "opening-hours-py"),
    ("numpy/", "numpy"),
    ("scipy/", "scipy"),
    ("pydantic", "pydantic"),
    ("aiolimiter/", "aiolimiter"),
    ("zoneinfo", "zoneinfo"),
    ("datetime", "datetime"),
    ("ssl", "ssl"),
    ("selectors", "selectors"),
    ("socket", "socket"),
]


@dataclass
class Breakdown:
    samples: int
    waiting: int  # samples of threads waiting (WAITING), left out of the shares
    steps: Counter[str]
    libraries: Counter[str]
    leaves: Counter[str]


def _frames(stack: str) -> Frames:
    found = []
    for part in stack.split(";"):
        match = _FRAME.match(part.strip())
        if match:
            found.append((match["function"], match["file"]))
    return found


def _step(frames: Frames) -> str:
    return next((step.label for step in STEPS if step.matches(frames)), OTHER)


def _waiting(leaf: str) -> bool:
    match = _FRAME.match(leaf.strip())
    if match is None or match["line"] is None:
        return False
    source = linecache.getline(match["file"], int(match["line"]))
    return any(part in match["file"] and text in source for part, text in WAITING)


def _library(file: str) -> str:
    for fragment, name in LIBRARIES:
        if fragment in file:
            return name
    return "other"


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3", "/work/", "/tmp/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def read_raw(path: Path) -> Breakdown:
    steps: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = waiting = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if not frames:
            continue
        if _waiting(stack.rsplit(";", 1)[-1]):
            waiting += count
            continue
        total += count
        steps[_step(frames)] += count
        function, file = frames[-1]
        libraries[_library(file)] += count
        leaves[f"{function} ({_short(file)})"] += count
    return Breakdown(total, waiting, steps, libraries, leaves)


def print_breakdown(breakdown: Breakdown, cpu_ms_per_update: float, top: int = 15) -> None:
    """Shares of the sampled CPU, and what each share is per update in milliseconds."""
    total = max(1, breakdown.samples)

    def rows(counter: Counter[str], limit: int | None = None) -> None:
        for name, count in counter.most_common(limit):
            share = count / total
            print(f"   {share:6.1%}  {share * cpu_ms_per_update:6.2f} ms  {name}")

    print(
        f"   {breakdown.samples} samples working ({breakdown.waiting} waiting, left out);"
        f" ms = share × {cpu_ms_per_update:.2f} ms/update"
    )
    print("   -- by step of the per-update path (a step includes what it calls)")
    rows(breakdown.steps)
    print("   -- by library of the running (leaf) frame")
    rows(breakdown.libraries, 12)
    print(f"   -- top {top} leaf functions")
    rows(breakdown.leaves, top)
