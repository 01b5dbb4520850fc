"""Logging for the bot: quiet, useful, and never a person's location.

Libraries' per-request logging is turned down, and everything that is written
passes through a formatter that blanks coordinate-like numbers — so even a
debugging session with python-telegram-bot's own DEBUG logs on (which print
whole updates, shared locations included) cannot put a position in a log.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

# Decimal numbers with three or more decimals: latitudes and longitudes (3 decimals is
# ~100 m). Durations and counts are logged with fewer decimals, so they survive.
_COORDINATE = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{3,}(?![\d])")
REDACTED = "[redacted]"
_NOISY_LIBRARIES = (
    "aiohttp",
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "aiosqlite",
    "asyncio",
)


def redact(text: str) -> str:
    return _COORDINATE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record through one redacting handler (on stderr by default)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
