"""Fault injection: make the next N calls (or a seeded share of calls) of a method and/or
chat fail like Telegram does under load or when users leave: 429, 403, 400, 5xx, timeout."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import BotApiError, bot_blocked, chat_not_found, server_error, too_many_requests


class FaultKind(StrEnum):
    FLOOD = "flood"  # 429 Too Many Requests with retry_after
    BLOCKED = "blocked"  # 403 Forbidden: bot was blocked by the user
    CHAT_NOT_FOUND = "chat_not_found"  # 400 Bad Request: chat not found
    SERVER_ERROR = "server_error"  # 5xx (status)
    TIMEOUT = "timeout"  # held past the client's timeout; maybe delivered


@dataclass
class Fault:
    kind: FaultKind
    method: str | None = None  # None: any method but getUpdates
    chat_id: int | str | None = None
    times: int | None = 1  # None: unlimited
    probability: float = 1.0
    seed: int = 0
    retry_after: int = 1
    status: int = 500
    hold_seconds: float = 30.0
    deliver: bool = False  # TIMEOUT only: was the message delivered before the hold?
    hits: int = 0
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        self._random = random.Random(self.seed)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.exhausted:
            return False
        if self.method is None and method == "getUpdates":
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.chat_id is not None and self.chat_id != chat_id:
            return False
        return self.probability >= 1.0 or self._random.random() < self.probability

    def error(self) -> BotApiError:
        if self.kind is FaultKind.FLOOD:
            return too_many_requests(self.retry_after)
        if self.kind is FaultKind.BLOCKED:
            return bot_blocked()
        if self.kind is FaultKind.CHAT_NOT_FOUND:
            return chat_not_found()
        # SERVER_ERROR, and a TIMEOUT that was never delivered if the client still waits.
        return server_error(self.status if self.kind is FaultKind.SERVER_ERROR else 502)


class FaultPlan:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """The first fault that fires for this call, counted as used."""
        for fault in self.faults:
            if fault.matches(method, chat_id):
                fault.hits += 1
                return fault
        return None
