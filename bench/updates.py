"""Benchmark: location updates through the local Bot API server, NightSafe at 10,000 venues
against a minimal python-telegram-bot echo bot (the framework's floor), in the same run.

Run from the repo root:  .venv/bin/python bench/updates.py [--quick] [--profile]
(about 1½ minutes; --quick about 30 s; --profile adds a py-spy run of NightSafe, which
needs `.venv/bin/pip install py-spy`; `--profile-phase steady` samples the steady load)

Setup: 10,000 synthetic venues (Greater London, thickest in the West End; realistic
hours; a few closed by staff) are imported through venues.repository into a SQLite file
in a temporary directory. The local Bot API server runs in this process; each bot runs
in its own process (bench/_bot_process.py), one after the other, against that server:
  - echo: Application.builder() + one MessageHandler replying with send_message;
  - echo+pin: the same, sending a venue pin first: NightSafe's two sends, nothing else;
  - NightSafe: the real Application from bot.app.build_application (post_init opens the
    database and builds the index), its clock running from Saturday 23:40 London.
Both bots receive the same location updates, each from one of thousands of users (so
per-chat pacing and the per-user flood gate stay out of the way at their defaults), at
the same places: half in the West End, 30 % at other hotspots, 20 % anywhere.

Why a process per bot: `time.process_time()` in the bot's own process counts the bot's
CPU alone (every thread of it, aiosqlite's worker too) and none of the server's or the
load generator's, with no share to estimate and subtract. The server's CPU is shown too.
The server's garbage collector waits while a phase runs: its heap of recorded calls
would otherwise pause it for tens of ms, a spike that is not the bot's.

Telegram's ~30 messages/s is a per-token cap, not a cost of the bot, and it would cap
NightSafe (two sends per answer) at 15 answers/s: it is lifted in the server and in
NightSafe's rate limiter (the limiter still runs) so that the bot's own cost is measured.

Phases, per bot, after a warm-up:
  saturated: N updates with a fixed number in flight (closed loop): replies/s, CPU per
             update, latencies under saturation (≈ in-flight × service time);
  steady:    Poisson arrivals at a fixed rate well below capacity (open loop), about one
             update per getUpdates: the update→reply latency a person sees.
Update→reply: from the moment the user's update is queued on the server to the moment
the server receives the bot's sendMessage (NightSafe sends its venue pin first; the time
of that first send is shown too). Targets: NightSafe's CPU per update ≤ 1.5× echo's;
p95 update→reply ≤ 50 ms (steady).

Experiments: `--compare /tmp/copy` also runs NightSafe from a copy of the repository
(`cp -r` it, change something there), same updates, same run; `--rounds 3` repeats
every bot, interleaved, and shows each phase's median round (CPU per update on a shared
machine moves by ±10 % between runs). `--profile copy` samples that copy instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402

from bench._london import Asker, askers, seed_register  # noqa: E402
from bench._profile import print_breakdown, read_raw  # noqa: E402
from bot.local_api import LocalBotApiServer, RecordedCall, SimulatedUser  # noqa: E402

SATURDAY_NIGHT_UTC = "2026-11-28T23:40:00+00:00"
SENDS = frozenset({"sendmessage", "sendvenue", "sendlocation"})
REPLY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Plan:
    venues: int = 10_000
    users: int = 5_000
    warmup: int = 400
    saturated: int = 3_000
    in_flight: int = 8
    steady: int = 500
    rate: float = 25.0
    idle: float = 6.0
    profiled: int = 2_000


FULL = Plan()
QUICK = Plan(warmup=150, saturated=600, steady=150, idle=3.0, profiled=600)


# ---------------------------------------------------------------- the bot's process


@dataclass(frozen=True)
class GcPauses:
    collections: int
    seconds: float
    longest: float


@dataclass(frozen=True)
class BotSpec:
    label: str
    kind: str  # "nightsafe", "echo" or "echo-pin"
    root: Path  # the checkout whose bot/ it runs (--compare: a scratch copy)
    index_check_seconds: float | None = None  # None: the deployment's default


class BotProcess:
    """A bot in its own process (bench/_bot_process.py), driven over stdin/stdout."""

    def __init__(self, spec: BotSpec, server: LocalBotApiServer, database_url: str) -> None:
        self.label = spec.label
        self._root = spec.root
        self._arguments = [
            spec.kind,
            "--base-url",
            server.base_url,
            "--token",
            server.token,
            "--database-url",
            database_url,
        ]
        self._process: asyncio.subprocess.Process | None = None
        self.pid = 0
        self.package = ""

    async def start(self, index_check_seconds: float | None) -> None:
        arguments = list(self._arguments)
        if index_check_seconds is not None:
            arguments += ["--index-check-seconds", str(index_check_seconds)]
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench._bot_process",
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=self._root,  # `-m` puts this checkout's bot/ first on sys.path
        )
        ready = await asyncio.wait_for(self._read(), 180)
        word, pid, package = ready.split(" ", 2)
        if word != "ready":
            raise RuntimeError(f"{self.label} bot did not start: {ready!r}")
        self.pid, self.package = int(pid), package

    async def _read(self) -> str:
        assert self._process is not None
        assert self._process.stdout is not None
        line = (await self._process.stdout.readline()).decode().strip()
        if not line:
            raise RuntimeError(f"{self.label} bot exited ({await self._process.wait()})")
        return line

    async def ask(self, command: str) -> str:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.write(f"{command}\n".encode())
        await self._process.stdin.drain()
        return await asyncio.wait_for(self._read(), 60)

    async def cpu(self) -> float:
        word, value = (await self.ask("cpu")).split()
        assert word == "cpu"
        return float(value)

    async def gc_pauses(self) -> GcPauses:
        """The garbage collector's pauses since the last call."""
        word, collections, seconds, longest = (await self.ask("gc")).split()
        assert word == "gc"
        return GcPauses(int(collections), float(seconds), float(longest))

    async def stop(self) -> None:
        if self._process is None:
            return
        assert self._process.stdin is not None
        with contextlib.suppress(ConnectionError):
            self._process.stdin.write(b"stop\n")
            await self._process.stdin.drain()
        try:
            await asyncio.wait_for(self._process.wait(), 30)
        except TimeoutError:
            self._process.kill()  # our own child, by its handle
            await self._process.wait()


# ----------------------------------------------------------------- watching replies


@dataclass
class Sample:
    """One update's round trip, in the server's monotonic clock."""

    pushed: float = 0.0
    first_send: float | None = None
    reply: float | None = None
    sends: int = 0
    pinned: bool = False

    @property
    def latency(self) -> float:
        assert self.reply is not None
        return self.reply - self.pushed


class ReplyWatcher:
    """Follows the server's call log; a chat's next sendMessage completes the update
    that chat is waiting on (each chat has at most one update in flight)."""

    def __init__(self, server: LocalBotApiServer) -> None:
        self._log = server.calls
        self._cursor = len(server.calls)
        self._waiting: dict[int, tuple[Sample, asyncio.Future[Sample]]] = {}
        self.rejected: list[RecordedCall] = []
        self.polls = 0  # getUpdates calls that returned updates
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def expect(self, chat_id: int, sample: Sample) -> asyncio.Future[Sample]:
        if chat_id in self._waiting:
            raise RuntimeError(f"chat {chat_id} already has an update in flight")
        future: asyncio.Future[Sample] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (sample, future)
        return future

    async def _follow(self) -> None:
        while True:
            await self._log.wait_until(lambda: len(self._log) > self._cursor, 3600)
            fresh = self._log.calls[self._cursor :]
            self._cursor += len(fresh)
            for call in fresh:
                self._see(call)

    def _see(self, call: RecordedCall) -> None:
        if call.method.lower() == "getupdates" and call.result:
            self.polls += 1
        if call.method.lower() not in SENDS:
            return
        if not call.ok:
            self.rejected.append(call)
        try:
            chat_id = int(str(call.chat_id))
        except ValueError:
            return
        waiting = self._waiting.get(chat_id)
        if waiting is None:
            return
        sample, future = waiting
        sample.sends += 1
        sample.first_send = sample.first_send or call.at
        sample.pinned = sample.pinned or call.method.lower() == "sendvenue"
        if call.method.lower() == "sendmessage":
            sample.reply = call.at
            del self._waiting[chat_id]
            future.set_result(sample)


# ------------------------------------------------------------------------ load


@dataclass
class Load:
    """Who sends which location next: the same sequence for every bot."""

    users: list[SimulatedUser]
    places: list[Asker]
    position: int = 0

    def take(self, count: int) -> Iterator[tuple[SimulatedUser, Asker]]:
        for _ in range(count):
            n = self.position
            self.position += 1
            yield self.users[n % len(self.users)], self.places[n % len(self.places)]


async def round_trip(watcher: ReplyWatcher, user: SimulatedUser, asker: Asker) -> Sample:
    sample = Sample()
    answered = watcher.expect(user.id, sample)
    sample.pushed = time.monotonic()
    await user.send_location(asker.point.latitude, asker.point.longitude)
    return await asyncio.wait_for(answered, REPLY_TIMEOUT_S)


async def closed_loop(
    watcher: ReplyWatcher, jobs: Iterator[tuple[SimulatedUser, Asker]], in_flight: int
) -> list[Sample]:
    samples: list[Sample] = []

    async def worker() -> None:
        for user, asker in jobs:  # one iterator shared: each worker takes the next job
            samples.append(await round_trip(watcher, user, asker))

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return samples


async def open_loop(
    watcher: ReplyWatcher, jobs: Iterator[tuple[SimulatedUser, Asker]], rate: float
) -> list[Sample]:
    """Poisson arrivals at `rate` a second, whatever the bot's pace (as people arrive)."""
    rng = random.Random(5)
    pending: list[asyncio.Task[Sample]] = []
    due = time.monotonic()
    for user, asker in jobs:
        due += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        pending.append(asyncio.create_task(round_trip(watcher, user, asker)))
    return list(await asyncio.gather(*pending))


# ---------------------------------------------------------------------- figures


@dataclass
class Phase:
    samples: list[Sample]
    wall: float
    bot_cpu: float
    server_cpu: float
    gc: GcPauses
    polls: int  # getUpdates calls that returned updates

    @property
    def per_poll(self) -> float:
        return self.count / self.polls if self.polls else 0.0

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def replies_per_s(self) -> float:
        return self.count / self.wall

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.bot_cpu / self.count

    @property
    def server_cpu_ms(self) -> float:
        return 1000 * self.server_cpu / self.count

    @property
    def busy(self) -> float:
        return self.bot_cpu / self.wall

    def latency_ms(self, q: float) -> float:
        return 1000 * _quantile([s.latency for s in self.samples], q)

    def first_send_ms(self, q: float) -> float:
        return 1000 * _quantile([(s.first_send or 0) - s.pushed for s in self.samples], q)

    @property
    def pinned(self) -> float:
        return sum(s.pinned for s in self.samples) / self.count


@dataclass
class BotResult:
    label: str
    package: str
    phases: dict[str, Phase] = field(default_factory=dict)
    rejected: int = 0
    idle_ms_per_s: float = 0.0
    # Fewest and most CPU ms per update over the rounds (--rounds).
    spread: dict[str, tuple[float, float]] = field(default_factory=dict)


def _quantile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def measured(
    bot: BotProcess, watcher: ReplyWatcher, run: Callable[[], Awaitable[list[Sample]]]
) -> Phase:
    await bot.gc_pauses()
    polls = watcher.polls
    # The server's own collector, over every call and message it has recorded, would
    # pause it for tens of ms: a bench artefact, so it waits until the phase is over.
    gc.collect()
    gc.disable()
    try:
        bot_before, server_before = await bot.cpu(), time.process_time()
        started = time.monotonic()
        samples = await run()
        wall = time.monotonic() - started
        server_cpu = time.process_time() - server_before
    finally:
        gc.enable()
    bot_cpu = await bot.cpu() - bot_before
    gc_pauses = await bot.gc_pauses()
    return Phase(samples, wall, bot_cpu, server_cpu, gc_pauses, watcher.polls - polls)


# ------------------------------------------------------------------------- run


async def bench_bot(
    spec: BotSpec,
    server: LocalBotApiServer,
    load: Load,
    plan: Plan,
    profiled: str | None,
    database_url: str,
) -> BotResult:
    bot = BotProcess(spec, server, database_url)
    started = time.monotonic()
    await bot.start(spec.index_check_seconds)
    elapsed = time.monotonic() - started
    print(f"   {spec.label}: started in {elapsed:.1f} s (bot package {bot.package})")
    watcher = ReplyWatcher(server)
    watcher.start()
    result = BotResult(spec.label, bot.package)
    try:
        load.position = 0  # every bot gets the same users at the same places
        await closed_loop(watcher, load.take(plan.warmup), plan.in_flight)
        result.phases["saturated"] = await measured(
            bot, watcher, lambda: closed_loop(watcher, load.take(plan.saturated), plan.in_flight)
        )
        result.phases["steady"] = await measured(
            bot, watcher, lambda: open_loop(watcher, load.take(plan.steady), plan.rate)
        )
        result.idle_ms_per_s = await idle(bot, plan.idle)
        if profiled is not None:
            cpu_ms = result.phases[profiled].cpu_ms
            await profile(bot, watcher, load, plan, profiled, cpu_ms)
    finally:
        await watcher.stop()
        await bot.stop()
    result.rejected = len(watcher.rejected)
    for call in watcher.rejected[:3]:
        print(f"   ! {spec.label}: {call.method} rejected: {call.status} {call.description}")
    return result


async def idle(bot: BotProcess, seconds: float) -> float:
    """The bot's CPU in ms per second with no updates: its background work (polling,
    jobs, the alert sender), which the steady phase pays for between updates."""
    before = await bot.cpu()
    await asyncio.sleep(seconds)
    return 1000 * (await bot.cpu() - before) / seconds


async def profile(
    bot: BotProcess, watcher: ReplyWatcher, load: Load, plan: Plan, phase: str, cpu_ms: float
) -> None:
    """py-spy samples the NightSafe process (without pausing it) during a saturated (or
    steady) run."""
    raw = Path(tempfile.gettempdir()) / f"nightsafe-updates-{os.getpid()}.txt"
    command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(bot.pid)]
    command += ["--rate", "500", "--full-filenames", "--format", "raw"]
    command += ["--output", str(raw)]
    spy = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.sleep(1.0)  # py-spy attaches
    if phase == "steady":
        await open_loop(watcher, load.take(plan.profiled), plan.rate)
    else:
        await closed_loop(watcher, load.take(plan.profiled), plan.in_flight)
    spy.send_signal(signal.SIGINT)  # py-spy writes its samples on Ctrl-C
    await spy.wait()
    print(f"\n== where {bot.label}'s CPU goes (py-spy, {plan.profiled} updates, {phase})")
    if not raw.exists():
        print("   py-spy wrote nothing: `.venv/bin/pip install py-spy`, and allow ptrace")
        return
    print_breakdown(read_raw(raw), cpu_ms)
    print(f"   raw stacks: {raw}")


def _row(label: str, phase: Phase) -> str:
    gc_share = phase.gc.seconds / phase.wall
    latencies = " ".join(f"{phase.latency_ms(q):6.1f}" for q in (0.5, 0.95, 0.99, 1.0))
    return (
        f"   {label:<12} {phase.replies_per_s:9.1f} {phase.cpu_ms:9.2f} ms {phase.busy:5.0%}"
        f" {phase.server_cpu_ms:8.2f} ms {latencies} {phase.first_send_ms(0.5):7.1f}"
        f" {phase.gc.longest * 1000:7.1f} {gc_share:5.1%} {phase.per_poll:8.2f}"
    )


def report(results: dict[str, BotResult], plan: Plan) -> None:
    titles = {
        "saturated": f"saturated: {plan.saturated:,} updates, {plan.in_flight} in flight",
        "steady": f"steady: {plan.steady:,} updates, Poisson arrivals at {plan.rate:g}/s",
    }
    print(
        "\n   CPU/update: the bot process's CPU (all threads) per update; busy: that CPU per"
        " second of wall time;\n   server/upd: this process's CPU (local server, load) per"
        " update; p50…max: update→reply (sendMessage) in ms;\n   1st p50: update→first send;"
        " GC max, GC: the bot's longest collector pause (ms) and its share of the time;\n"
        "   upd/poll: updates per getUpdates that returned any (a bot that keeps up gets"
        " fewer at a time, and pays for each poll over fewer updates)"
    )
    for name, title in titles.items():
        print(f"\n== {title}")
        print(
            f"   {'bot':<12} {'replies/s':>9} {'CPU/update':>12} {'busy':>5} {'server/upd':>11}"
            f" {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} {'1st p50':>7} {'GC max':>7}"
            f" {'GC':>5} {'upd/poll':>8}"
        )
        for label, result in results.items():
            low, high = result.spread.get(name, (0.0, 0.0))
            spread = f"  CPU {low:.2f}–{high:.2f} ms over rounds" if high > low else ""
            print(_row(label, result.phases[name]) + spread)
    nightsafe, echo = results["nightsafe"].phases, results["echo"].phases
    print("\n== NightSafe against the echo bot (same run, same updates)")
    for name in titles:
        mine, floor = nightsafe[name].cpu_ms, echo[name].cpu_ms
        verdict = "met" if mine / floor <= 1.5 else "NOT met"
        print(
            f"   CPU per update, {name:<9}: {mine:6.2f} / {floor:5.2f} ms = {mine / floor:4.2f}×"
            f"   target ≤ 1.5×  {verdict}"
        )
    idle_figures = ", ".join(f"{label} {r.idle_ms_per_s:.1f}" for label, r in results.items())
    print(f"   idle CPU, ms per second with no updates: {idle_figures}")
    pinned = results["echo+pin"].phases
    for name in titles:
        mine, floor = nightsafe[name].cpu_ms, pinned[name].cpu_ms
        print(
            f"   against echo+pin, {name:<9}: {mine:6.2f} / {floor:5.2f} ms = {mine / floor:4.2f}×"
            "   (the same two sends: what NightSafe adds besides the pin)"
        )
    throughput = nightsafe["saturated"].replies_per_s / echo["saturated"].replies_per_s
    print(f"   replies/s, saturated    : {throughput:4.2f}× the echo bot's")
    p95 = nightsafe["steady"].latency_ms(0.95)
    verdict = "met" if p95 <= 50 else "NOT met"
    print(f"   p95 update→reply, steady: {p95:6.1f} ms   target ≤ 50 ms  {verdict}")
    print(
        f"   NightSafe answers with a venue pin (2 sends): {nightsafe['saturated'].pinned:.0%};"
        f" rejected sends: NightSafe {results['nightsafe'].rejected}, echo"
        f" {results['echo'].rejected}"
    )
    variants = [label for label in results if label not in ("echo", "echo+pin", "nightsafe")]
    if variants:
        print("\n== experiments (--compare): CPU per update against NightSafe, same run")
        for label in variants:
            cells = []
            for name in titles:
                mine, base = results[label].phases[name].cpu_ms, nightsafe[name].cpu_ms
                ratio = mine / echo[name].cpu_ms
                cells.append(f"{name} {mine:5.2f} ms ({mine - base:+5.2f}, {ratio:4.2f}× echo)")
            p95 = results[label].phases["steady"].latency_ms(0.95)
            print(f"   {label:<12} {'   '.join(cells)}   steady p95 {p95:5.1f} ms")
    print(
        "   deployed, Telegram's ~30 messages/s per bot allows at most"
        f" {30 / (1 + nightsafe['saturated'].pinned):.0f} NightSafe answers/s"
        " (NIGHTSAFE_SEND_RATE ≤ 30)"
    )


async def run(options: argparse.Namespace) -> None:
    plan = QUICK if options.quick else FULL
    plan = Plan(**{**plan.__dict__, **({"venues": options.venues} if options.venues else {})})
    began = time.monotonic()
    print(
        f"bench/updates.py{' --quick' if options.quick else ''}: python"
        f" {sys.version.split()[0]}, python-telegram-bot {telegram.__version__},"
        f" {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="nightsafe-bench-") as directory:
        database_url = f"sqlite+aiosqlite:///{directory}/register.db"
        seeded = time.monotonic()
        public = await seed_register(
            database_url, plan.venues, datetime.fromisoformat(SATURDAY_NIGHT_UTC)
        )
        print(
            f"   register: {plan.venues:,} venues ({public:,} public) imported through"
            f" venues.repository into SQLite in {time.monotonic() - seeded:.1f} s"
        )
        check = options.index_check_seconds
        print(
            f"   users: {plan.users:,}; warm-up {plan.warmup} updates per bot;"
            f" NIGHTSAFE_INDEX_CHECK_SECONDS={'default' if check is None else check}"
        )
        # Telegram's per-token 30 messages/s lifted: the bench measures the bot, not the cap.
        async with LocalBotApiServer(port=0, sends_per_second=10**9) as server:
            users = [server.user(100_000 + n, f"User{n}") for n in range(plan.users)]
            load = Load(users, askers(4_000))
            rounds: dict[str, list[BotResult]] = {}
            for round_number in range(1, options.rounds + 1):
                if options.rounds > 1:
                    print(f"   round {round_number} of {options.rounds}")
                last = round_number == options.rounds
                for spec in _bots(options):
                    profiled = options.profile_phase
                    if not last or options.profile != spec.label:
                        profiled = None
                    result = await bench_bot(spec, server, load, plan, profiled, database_url)
                    rounds.setdefault(spec.label, []).append(result)
            results = {label: _median(runs) for label, runs in rounds.items()}
            if server.internal_errors:
                print(f"   ! the local server failed {len(server.internal_errors)} times")
    report(results, plan)
    print(f"\ndone in {time.monotonic() - began:.0f} s")


def _bots(options: argparse.Namespace) -> list[BotSpec]:
    check = options.index_check_seconds
    bots = [
        BotSpec("echo", "echo", ROOT),
        BotSpec("echo+pin", "echo-pin", ROOT),
        BotSpec("nightsafe", "nightsafe", ROOT, check),
    ]
    for directory in options.compare:
        root = Path(directory).resolve()
        bots.append(BotSpec(root.name[:12], "nightsafe", root, check))
    return bots


def _median(runs: list[BotResult]) -> BotResult:
    """Per phase, the round with the median CPU per update (a whole, consistent row)."""
    merged = BotResult(runs[0].label, runs[0].package, rejected=sum(r.rejected for r in runs))
    merged.idle_ms_per_s = sorted(r.idle_ms_per_s for r in runs)[(len(runs) - 1) // 2]
    for name in runs[0].phases:
        ordered = sorted((r.phases[name] for r in runs), key=lambda phase: phase.cpu_ms)
        merged.phases[name] = ordered[(len(ordered) - 1) // 2]
        merged.spread[name] = (ordered[0].cpu_ms, ordered[-1].cpu_ms)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 30 s)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="nightsafe",
        metavar="BOT",
        help="then sample NightSafe (or the --compare copy named BOT) with py-spy",
    )
    parser.add_argument(
        "--profile-phase",
        choices=["saturated", "steady"],
        default="saturated",
        help="--profile samples this phase's kind of load (default: saturated)",
    )
    parser.add_argument("--venues", type=int, help="register size (default 10,000)")
    parser.add_argument(
        "--index-check-seconds",
        type=float,
        help="NIGHTSAFE_INDEX_CHECK_SECONDS for NightSafe (default: the deployment's, 1 s)",
    )
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="CHECKOUT",
        help="also run NightSafe from this copy of the repo (an experiment), same updates",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every bot this many times, interleaved; show each phase's median round",
    )
    options = parser.parse_args()
    asyncio.run(run(options))


if __name__ == "__main__":
    main()
