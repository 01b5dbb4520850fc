"""Counters and gauges for /metrics, in Prometheus' text format (version 0.0.4).

Only counts and timings: never who, where or what anyone wrote. Label values are
drawn from small fixed sets (update types, outcomes, venue statuses).
Process counters (updates handled, reply latency, deliveries) are per replica — a
Prometheus server sums them; gauges read from the database (venues by status,
outbox and inbox depth) are the whole deployment's, the same on every replica.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Table, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.constants import UpdateType

from bot.store import inbox
from venues.orm import Base

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
GAUGE_TIMEOUT_S = 2.0
# Seconds: a reply usually takes tens of milliseconds; a slow database shows up on the right.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]
# A gauge read from the database: (labels, value) pairs.
GaugeReader = Callable[[AsyncSession], Awaitable[Iterable[tuple[Labels, float]]]]


def update_kind(update: object) -> str:
    """The update's type (message, callback_query…): a fixed set, no content."""
    if isinstance(update, Update):
        for kind in UpdateType:
            if getattr(update, kind.value, None) is not None:
                return kind.value
    return "other"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(name: str, labels: Labels, value: float) -> str:
    inner = ",".join(f'{key}="{_escape(str(v))}"' for key, v in labels)
    number = repr(float(value)) if value != int(value) else str(int(value))
    return f"{name}{{{inner}}} {number}" if inner else f"{name} {number}"


def _family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


@dataclass
class Counter:
    name: str
    help: str
    label: str
    values: dict[str, float] = field(default_factory=dict)

    def inc(self, label_value: str, amount: float = 1) -> None:
        self.values[label_value] = self.values.get(label_value, 0) + amount

    def render(self) -> list[str]:
        samples = (
            _sample(self.name, ((self.label, k),), v) for k, v in sorted(self.values.items())
        )
        return _family(self.name, "counter", self.help, samples)


@dataclass
class Histogram:
    name: str
    help: str
    buckets: Sequence[float] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    observations: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.observations += 1

    def render(self) -> list[str]:
        samples, cumulative = [], 0
        for bound, count in zip(self.buckets, self.counts, strict=True):
            cumulative += count
            samples.append(_sample(f"{self.name}_bucket", (("le", str(bound)),), cumulative))
        samples.append(_sample(f"{self.name}_bucket", (("le", "+Inf"),), self.observations))
        samples.append(f"{self.name}_sum {self.total!r}")
        samples.append(f"{self.name}_count {self.observations}")
        return _family(self.name, "histogram", self.help, samples)


@dataclass(frozen=True)
class GaugeSource:
    name: str
    help: str
    read: GaugeReader


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def _count_by(table_name: str, column: str, label: str) -> GaugeReader:
    """Rows of a table counted by one column; nothing when the table is not in this build."""

    async def read(session: AsyncSession) -> list[tuple[Labels, float]]:
        table = _table(table_name)
        if table is None:
            return []
        rows = await session.execute(
            select(table.c[column], func.count()).group_by(table.c[column])
        )
        return [(((label, str(value)),), float(count)) for value, count in rows]

    return read


async def _inbox_depth(session: AsyncSession) -> list[tuple[Labels, float]]:
    return [((), float(await inbox.unhandled_count(session)))]


class Metrics:
    """One replica's metrics; Services holds it, the delivery worker reports into it."""

    def __init__(self) -> None:
        self.updates = Counter(
            "nightsafe_updates_handled_total", "Updates handled, by update type.", "type"
        )
        self.latency = Histogram(
            "nightsafe_reply_latency_seconds", "Seconds from taking an update to having handled it."
        )
        self.deliveries = Counter(
            "nightsafe_deliveries_total", "Alert messages by delivery outcome.", "outcome"
        )
        self._gauges: list[GaugeSource] = [
            GaugeSource(
                "nightsafe_venues",
                "Venues in the register, by status.",
                _count_by("venues", "status", "status"),
            ),
            GaugeSource(
                "nightsafe_outbox_messages",
                "Alert outbox rows by state (pending and sending: the outbox depth).",
                _count_by("alert_outbox", "state", "state"),
            ),
            GaugeSource(
                "nightsafe_inbox_unhandled",
                "Webhook updates recorded and not yet handled.",
                _inbox_depth,
            ),
        ]

    def update_handled(self, update: object, seconds: float) -> None:
        self.updates.inc(update_kind(update))
        self.latency.observe(seconds)

    def delivery(self, outcome: str, count: int = 1) -> None:
        """For the delivery worker: `services.metrics.delivery("delivered")`."""
        self.deliveries.inc(outcome, count)

    def add_gauge(self, name: str, help_text: str, read: GaugeReader) -> None:
        """A gauge read from the database at each scrape (a feature's own depth, say)."""
        self._gauges = [g for g in self._gauges if g.name != name]
        self._gauges.append(GaugeSource(name, help_text, read))

    async def render(self, sessions: async_sessionmaker[AsyncSession] | None) -> str:
        lines = [*self.updates.render(), *self.latency.render(), *self.deliveries.render()]
        if sessions is not None:
            for gauge in self._gauges:
                lines += await self._render_gauge(gauge, sessions)
        return "\n".join(lines) + "\n"

    async def _render_gauge(
        self, gauge: GaugeSource, sessions: async_sessionmaker[AsyncSession]
    ) -> list[str]:
        try:
            async with asyncio.timeout(GAUGE_TIMEOUT_S), sessions() as session:
                values = list(await gauge.read(session))
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            # The database is away: /healthz says so; the counters still answer.
            logger.warning("metric %s unavailable: %s", gauge.name, type(error).__name__)
            return []
        samples = (_sample(gauge.name, labels, value) for labels, value in values)
        return _family(gauge.name, "gauge", gauge.help, samples)
