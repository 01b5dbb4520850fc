"""Benchmark safety alerts: one broadcast to 10,000 subscribers through the local Bot API
server, sent by the real bot (bot.app, its delivery worker) in a process of its own.

Run from the repo root:  .venv/bin/python bench/broadcast.py [--quick] [--only NAMES]
The full run takes about 16 minutes (two broadcasts at 25/s of ~7 minutes each, one at
1,000/s); --quick (1,000 subscribers) about 2½ minutes. --database-url
postgresql+asyncpg://… runs it on PostgreSQL (emptied first); by default a SQLite file
in a temporary folder. --subscribers N sets the size.

Scenarios, each on a fresh database and a fresh local server:
  steady  the server enforces 30 sends/s (and one a second per chat, a burst of 3);
          2% of sendMessage calls get an injected 429 (retry_after 1 s) and 1% of
          subscribers blocked the bot. Delivered/s against the configured 25/s
          (target ≥ 0.95), limit violations, lost, duplicated, 403s unsubscribed; and the
          p95 of location queries answered while the broadcast runs (target ≤ 50 ms).
  kill    the same, with `kill -9` of the bot half-way and a restart: lost (target 0)
          and duplicated (target ≤ sends in flight at the kill). By default the kill
          strikes mid-burst, the worst moment (--kill-at random: any instant).
  fast    a paid broadcast at 1,000/s, the server's limit raised: the sender itself is
          not the bottleneck (target ≥ 900/s).
  kill-ambiguous (only with --only) the kill with NIGHTSAFE_ALERT_RESEND_IN_FLIGHT off:
          what was in flight is left ambiguous rather than sent again (no duplicates; a
          send that had not left the process is never made).

The staff side is the real /broadcast chat (a simulated staff member presses the
buttons); every figure is read back from what the server received and the database.
`--child` is the bot process itself (internal).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from bot.db import create_engine, create_schema, create_session_factory
from bot.local_api import FaultKind, LocalBotApiServer, SimulatedUser
from bot.local_api.recorder import RecordedCall
from bot.models import OutboxRow, SubscriberRow
from bot.settings import PROJECT_ROOT, Settings
from bot.store.outbox import OutboxState
from venues.csvio import import_venues, parse_venue_csv
from venues.emergency import looks_like_emergency
from venues.orm import Base

STAFF = 9001
FIRST_SUBSCRIBER = 10_000_000
LOCATION_USERS = [5_000_001 + i for i in range(5)]
LEICESTER_SQUARE = (51.5103, -0.1301)
ALERT_TEXT = (
    "Reports of drink spiking around Leicester Square tonight — watch your drink and your "
    "friends' drinks. Safe Havens are open: share your location to find the nearest."
)
CONFIGURED_RATE = 25
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 40, tzinfo=ZoneInfo("Europe/London"))
BENCH_FILE = Path(__file__).resolve()


@dataclass
class Scenario:
    name: str
    subscribers: int
    server_rate: int
    rate: float  # what the bot is configured to send at
    paid: bool = False
    flood_share: float = 0.0
    blocked_share: float = 0.0
    kill_half_way: bool = False
    location_queries: bool = False
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    scenario: Scenario
    server: LocalBotApiServer
    database_url: str
    workdir: Path
    subscribers: list[int]
    blocked: set[int]
    child: asyncio.subprocess.Process | None = None
    log_path: Path | None = None
    latencies: list[float] = field(default_factory=list)
    killed_at_delivered: int | None = None
    in_flight_at_kill: int | None = None
    lease_wait: float | None = None
    kill_at_random: bool = False


# --- the bot's process --------------------------------------------------------------------


class RunningClock:
    """Saturday night in London, running at real speed (venues open as on a real night)."""

    def __init__(self) -> None:
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return SATURDAY_NIGHT + timedelta(seconds=time.monotonic() - self._origin)


def child_main() -> None:
    """The bot: build_application from the environment, long polling, until killed."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.app import build_application
    from bot.local_api.harness import polling

    application = build_application(Settings(_env_file=None), clock=RunningClock())

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with polling(application):
            await stop.wait()

    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
        try:
            asyncio.run(run())
        finally:
            prof.disable()
            prof.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        asyncio.run(run())


def _child_env(run: Run) -> dict[str, str]:
    scenario = run.scenario
    env = {
        **os.environ,
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": run.server.token,
        "TELEGRAM_API_BASE_URL": run.server.base_url,
        "DATABASE_URL": run.database_url,
        "NIGHTSAFE_ADMIN_IDS": str(STAFF),
        "NIGHTSAFE_SEND_RATE": str(min(scenario.rate, 30)),
        "NIGHTSAFE_ALERT_LEASE_SECONDS": "3",
        "NIGHTSAFE_ALERT_PROGRESS_SECONDS": "5",
        "NIGHTSAFE_USER_BURST": "1000",
    }
    env |= scenario.settings
    if scenario.paid:
        env |= {
            "NIGHTSAFE_PAID_BROADCASTS": "true",
            "NIGHTSAFE_PAID_SEND_RATE": str(scenario.rate),
            "NIGHTSAFE_PAID_BUDGET_STARS": "1000000",
            "NIGHTSAFE_ALERT_CONCURRENCY": "32",
        }
    return env


async def start_child(run: Run) -> None:
    polls_before = len(run.server.calls_to("getUpdates"))
    run.log_path = run.workdir / "bot.log"
    with run.log_path.open("ab") as log:
        run.child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BENCH_FILE),
            "--child",
            env=_child_env(run),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    try:
        await run.server.wait_for(
            lambda _: len(run.server.calls_to("getUpdates")) > polls_before, timeout=60
        )
    except TimeoutError:
        tail = run.log_path.read_text(errors="replace").splitlines()[-30:]
        print("the bot did not start; its log ends:", *tail, sep="\n  ")
        raise


async def stop_child(run: Run) -> None:
    if run.child is None or run.child.returncode is not None:
        return
    run.child.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(run.child.wait(), 30)
    except TimeoutError:
        run.child.kill()
        await run.child.wait()


# --- setting up -------------------------------------------------------------------------------


async def prepare_database(url: str, subscribers: list[int]) -> None:
    engine = create_engine(url)
    try:
        if not url.startswith("sqlite"):
            async with engine.begin() as connection:
                await connection.run_sync(Base.metadata.drop_all)
        await create_schema(engine)
        sessions = create_session_factory(engine)
        settings = Settings(_env_file=None, DATABASE_URL=url)
        demo = (PROJECT_ROOT / "data" / "demo_venues.csv").read_text(encoding="utf-8")
        plan = parse_venue_csv(demo, area=settings.area, place_postcode=lambda _: None)
        async with sessions() as session, session.begin():
            await import_venues(session, plan)
            zones = ["west_end", "soho", "covent_garden", "leicester_square"]
            rows = [
                {"chat_id": chat_id, "zones": [zones[i % len(zones)]], "language": "en"}
                for i, chat_id in enumerate(subscribers)
            ]
            for start in range(0, len(rows), 2000):
                await session.execute(insert(SubscriberRow), rows[start : start + 2000])
    finally:
        await engine.dispose()


async def make_run(scenario: Scenario, database_url: str | None, workdir: Path) -> Run:
    url = database_url or f"sqlite+aiosqlite:///{workdir / f'{scenario.name}.db'}"
    subscribers = [FIRST_SUBSCRIBER + i for i in range(scenario.subscribers)]
    rng = random.Random(5)
    blocked = set(rng.sample(subscribers, round(scenario.subscribers * scenario.blocked_share)))
    await prepare_database(url, subscribers)
    server = LocalBotApiServer(
        sends_per_second=scenario.server_rate,
        enforce_per_chat_limit=True,
        # Telegram lets a chat have a short burst: the bot's interactive replies (a venue
        # pin then the answer) use it; alerts keep to one a second per chat regardless.
        per_chat_burst=3,
    )
    await server.start()
    for chat_id in subscribers:
        user = server.user(chat_id, "Subscriber")
        user.chat.blocked = chat_id in blocked
    return Run(scenario, server, url, workdir, subscribers, blocked)


# --- the staff member's /broadcast ------------------------------------------------------------


async def _press(user: SimulatedUser, label: str) -> None:
    await user.callback_answer(await user.press(label), timeout=60)


async def broadcast(run: Run) -> int:
    """Go through /broadcast and press Send; the number the confirmation promised."""
    staff = run.server.user(STAFF, "Sam")
    await staff.send_command("/broadcast")
    await staff.next_reply(timeout=60)
    await staff.send_text(ALERT_TEXT)
    # Safety first: text reading like an emergency gets the guidance, then the preview.
    await staff.next_replies(4 if looks_like_emergency(ALERT_TEXT) else 3, timeout=60)
    for label in ("🔔 Public subscribers", "🌍 Everywhere", "Normal"):
        await _press(staff, label)
        await staff.next_reply(timeout=60)
    await _press(staff, "6 hours")
    *_, confirmation = await staff.next_replies(3, timeout=60)
    promised = int((confirmation.text or "").split("Recipients: ")[1].split(" ")[0])
    if run.scenario.flood_share:
        run.server.fail_randomly(
            "sendMessage", FaultKind.FLOOD, run.scenario.flood_share, seed=7, retry_after=1
        )
    await _press(staff, "⚡ Send fast (paid)" if run.scenario.paid else "📣 Send")
    return promised


# --- watching ---------------------------------------------------------------------------------


class Deliveries:
    """Counts, incrementally, the alert messages the server accepted per subscriber."""

    def __init__(self, run: Run) -> None:
        self.calls = run.server.calls.calls
        self.first = FIRST_SUBSCRIBER
        self.last = FIRST_SUBSCRIBER + run.scenario.subscribers
        self.seen = 0
        self.per_chat: Counter[int] = Counter()

    def _is_alert(self, call: RecordedCall) -> bool:
        chat = call.chat_id
        return (
            call.method == "sendMessage"
            and isinstance(chat, int)
            and self.first <= chat < self.last
        )

    def update(self) -> int:
        for call in self.calls[self.seen :]:
            if call.ok and self._is_alert(call):
                self.per_chat[call.chat_id] += 1
        self.seen = len(self.calls)
        return sum(self.per_chat.values())

    def alert_calls(self) -> list[RecordedCall]:
        return [call for call in self.calls if self._is_alert(call)]


async def location_queries(run: Run, stop: asyncio.Event) -> None:
    """A location shared every second (five people in turn) while the broadcast runs."""
    users = [run.server.user(user_id, "Out") for user_id in LOCATION_USERS]
    rng = random.Random(11)
    turn = 0
    while not stop.is_set():
        user = users[turn % len(users)]
        turn += 1
        latitude = LEICESTER_SQUARE[0] + rng.uniform(-0.004, 0.004)
        longitude = LEICESTER_SQUARE[1] + rng.uniform(-0.006, 0.006)
        started = time.perf_counter()
        await user.send_location(latitude, longitude)
        await user.next_replies(2, timeout=30)  # the venue pin and the answer
        run.latencies.append(time.perf_counter() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def _rows_in_state(url: str, state: OutboxState) -> int:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            found = await session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.state == state.value)
            )
    finally:
        await engine.dispose()
    return found or 0


async def kill_half_way(run: Run, deliveries: Deliveries) -> None:
    half = run.scenario.subscribers // 2
    await run.server.wait_for(lambda _: deliveries.update() >= half, timeout=3600)
    # The worst moment: as the half-way message arrives, the rest of its burst is on
    # its way (--kill-at random: any instant in the next second, usually between bursts).
    if run.kill_at_random:
        await asyncio.sleep(random.Random(run.scenario.name).uniform(0.0, 1.0))
    assert run.child is not None
    os.kill(run.child.pid, signal.SIGKILL)
    await run.child.wait()
    run.killed_at_delivered = deliveries.update()
    # What the dead process had claimed and not settled: its sends in flight.
    run.in_flight_at_kill = await _rows_in_state(run.database_url, OutboxState.SENDING)
    restarted = time.perf_counter()
    await start_child(run)
    await run.server.wait_for(lambda _: deliveries.update() > run.killed_at_delivered, 60)
    run.lease_wait = time.perf_counter() - restarted


async def wait_for_report(run: Run, within: float) -> str:
    staff = run.server.user(STAFF, "Sam")
    report = await staff.next_reply(timeout=within)
    return report.text or ""


# --- figures ----------------------------------------------------------------------------------


async def _still_subscribed(url: str, chat_ids: set[int]) -> int:
    if not chat_ids:
        return 0
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = set(await session.scalars(select(SubscriberRow.chat_id)))
    finally:
        await engine.dispose()
    return len(rows & chat_ids)


async def _states(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.execute(
                select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
            )
            return Counter({state: count for state, count in rows})
    finally:
        await engine.dispose()


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _bursts(times: list[float]) -> tuple[int, float]:
    """How many bursts the sends came in (a gap of 0.3 s or more between), and the
    median time from one burst's start to the next."""
    starts = [later for earlier, later in itertools.pairwise(times) if later - earlier >= 0.3]
    periods = [later - earlier for earlier, later in itertools.pairwise(starts)]
    return len(starts) + 1, statistics.median(periods) if periods else float("nan")


def _own_429s(server: LocalBotApiServer, subscribers: range) -> str:
    """The server's own 429s (not injected), by whose chat they were in."""
    own = [c for c in server.calls.calls if c.status == 429 and c.fault is None]
    where = Counter(
        ("subscribers" if c.chat_id in subscribers else "staff" if c.chat_id == STAFF else "others")
        + f" {c.method}"
        for c in own
    )
    return f"{len(own)}" + (f" ({', '.join(f'{k} {n}' for k, n in where.items())})" if own else "")


async def figures(run: Run, deliveries: Deliveries, promised: int, report: str) -> None:
    scenario, server = run.scenario, run.server
    deliveries.update()
    alert_calls = deliveries.alert_calls()
    delivered = [c for c in alert_calls if c.ok]
    span = delivered[-1].at - delivered[0].at if len(delivered) > 1 else float("nan")
    wanted = [c for c in run.subscribers if c not in run.blocked]
    lost = [c for c in wanted if deliveries.per_chat[c] == 0]
    duplicated = [c for c, n in deliveries.per_chat.items() if n > 1]
    injected = sum(1 for c in alert_calls if c.fault == "flood")
    forbidden = {c.chat_id for c in alert_calls if c.status == 403}
    unsubscribed = len(forbidden) - await _still_subscribed(run.database_url, forbidden)
    states = await _states(run.database_url)
    rate, counted = len(delivered) / span, (len(delivered) + len(forbidden)) / span
    sends = [c.at for c in server.calls.calls if c.method.startswith("send") and c.fault is None]
    bursts, period = _bursts([c.at for c in alert_calls])
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + scenario.subscribers)
    summary = " · ".join(report.splitlines()[1:5])
    print(f"  the confirmation promised {promised:,}; the report: {summary}")
    print(
        f"  delivered {len(delivered):,} in {span:.1f} s: {rate:,.1f}/s = "
        f"{rate / scenario.rate:.3f} of the configured {scenario.rate:,.0f}/s "
        f"(delivered + 403s: {counted:,.1f}/s = {counted / scenario.rate:.3f})"
    )
    print(
        f"  {len(alert_calls):,} sendMessage calls in {bursts} bursts a median {period:.3f} s "
        f"apart: {injected:,} injected 429s waited out and resent, {len(forbidden):,} 403s"
    )
    print(
        f"  lost {len(lost)} · duplicated {len(duplicated)} · failed {states.get('failed', 0)} · "
        f"403s unsubscribed {unsubscribed}/{len(forbidden)}"
        + (f" ({unsubscribed / len(forbidden):.0%})" if forbidden else "")
    )
    print(
        f"  limits: the server's own 429s {_own_429s(server, subscribers)} · per-chat "
        f"violations {server.flood_violations} · most sends in any 1 s "
        f"{_max_in_any_second(sends)} (limit {scenario.server_rate})"
    )
    print(f"  outbox rows by state: {dict(sorted(states.items()))}")
    if run.killed_at_delivered is not None:
        in_flight = run.in_flight_at_kill or 0
        never = [c for c in lost if c not in run.blocked]
        print(
            f"  killed at {run.killed_at_delivered:,} delivered with {in_flight} rows in flight "
            f"(`sending`); the new process took over after {run.lease_wait:.1f} s (lease 3 s); "
            f"of those in flight {states.get('ambiguous', 0)} ambiguous, never received "
            f"{len(never)}; duplicates {len(duplicated)} ≤ {in_flight}: "
            f"{len(duplicated) <= in_flight}"
        )
    if run.latencies:
        ordered = sorted(run.latencies)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(
            f"  location queries answered during the broadcast: {len(ordered)}, p50 "
            f"{_ms(statistics.median(ordered))}, p95 {_ms(p95)}, max {_ms(ordered[-1])}"
        )


async def run_scenario(
    scenario: Scenario, database_url: str | None, workdir: Path, *, kill_at_random: bool = False
) -> None:
    print(
        f"\n{scenario.name}: {scenario.subscribers:,} subscribers, server limit "
        f"{scenario.server_rate}/s, bot at {scenario.rate:,.0f}/s"
        + (" (paid)" if scenario.paid else "")
        + (f", {scenario.flood_share:.0%} injected 429s" if scenario.flood_share else "")
        + (f", {scenario.blocked_share:.0%} blocked" if scenario.blocked_share else "")
        + (", kill -9 half-way" if scenario.kill_half_way else ""),
        flush=True,
    )
    started = time.perf_counter()
    run = await make_run(scenario, database_url, workdir)
    run.kill_at_random = kill_at_random
    try:
        await start_child(run)
        deliveries = Deliveries(run)
        promised = await broadcast(run)
        stop = asyncio.Event()
        side = []
        if scenario.location_queries:
            side.append(asyncio.create_task(location_queries(run, stop)))
        if scenario.kill_half_way:
            await kill_half_way(run, deliveries)
        expected = scenario.subscribers / scenario.rate
        report = await wait_for_report(run, within=expected * 3 + 120)
        stop.set()
        await asyncio.gather(*side)
        await figures(run, deliveries, promised, report)
    finally:
        await stop_child(run)
        await run.server.stop()
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


def scenarios(quick: bool, subscribers: int | None = None) -> list[Scenario]:
    size = subscribers or (1_000 if quick else 10_000)
    faults = {"flood_share": 0.02, "blocked_share": 0.01}
    return [
        Scenario("steady", size, 30, CONFIGURED_RATE, location_queries=True, **faults),
        Scenario("kill", size, 30, CONFIGURED_RATE, kill_half_way=True, **faults),
        Scenario("fast", size, 5_000, 1_000, paid=True),
        # Not run unless asked: the crash with NIGHTSAFE_ALERT_RESEND_IN_FLIGHT off.
        Scenario(
            "kill-ambiguous",
            size,
            30,
            CONFIGURED_RATE,
            kill_half_way=True,
            settings={"NIGHTSAFE_ALERT_RESEND_IN_FLIGHT": "false"},
            **faults,
        ),
    ]


DEFAULT_SCENARIOS = {"steady", "kill", "fast"}


async def main_async(arguments: argparse.Namespace) -> None:
    chosen = set(arguments.only.split(",")) if arguments.only else DEFAULT_SCENARIOS
    with tempfile.TemporaryDirectory(prefix="nightsafe-bench-") as folder:
        for scenario in scenarios(arguments.quick, arguments.subscribers):
            if scenario.name in chosen:
                await run_scenario(
                    scenario,
                    arguments.database_url,
                    Path(folder),
                    kill_at_random=arguments.kill_at == "random",
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 subscribers (~2 minutes)")
    parser.add_argument(
        "--only", help="comma-separated: steady,kill,fast (default), kill-ambiguous"
    )
    parser.add_argument("--subscribers", type=int, help="instead of 10,000 (or 1,000)")
    parser.add_argument(
        "--kill-at", choices=["burst", "random"], default="burst", help="when kill -9 strikes"
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied first); default SQLite")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child_main()
        return
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    quick = " --quick" if arguments.quick else ""
    print(f"bench/broadcast.py{quick}: python {sys.version.split()[0]}")
    asyncio.run(main_async(arguments))
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
