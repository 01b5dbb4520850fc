"""Every call the bot made, and waiting on them without sleeping: an asyncio.Condition is
notified on every recorded call and every update a simulated user makes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .files import UploadedFile

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedCall:
    seq: int
    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    status: int
    response: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    chat_id: Any = None
    fault: str | None = None  # the injected fault kind, if one fired
    timed_out: bool = False  # held past the client's timeout by an injected fault
    delivered: bool = True  # did the call take effect (a timed-out send may have)?
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")


class CallLog:
    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self._changed = asyncio.Condition()

    def __len__(self) -> int:
        return len(self.calls)

    def next_seq(self) -> int:
        return len(self.calls) + 1

    async def record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        await self.notify()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def of(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for(
        self,
        predicate: Callable[[list[RecordedCall]], T],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> T:
        """Wait until `predicate(calls)` is truthy and return its value; TimeoutError
        (naming the last calls seen) when it is not within `timeout` seconds."""
        return await self.wait_until(lambda: predicate(self.calls), timeout)

    async def wait_until(self, check: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until `check()` is truthy, re-checking on every call and user action."""
        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                seen = ", ".join(f"{c.method}->{c.status}" for c in self.calls[-8:])
                raise TimeoutError(
                    f"condition not met within {timeout}s; last calls: {seen or 'none'}"
                ) from None
