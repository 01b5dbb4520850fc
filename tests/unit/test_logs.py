"""Log redaction: coordinate-like numbers never reach a log line."""

from __future__ import annotations

import io
import logging

from bot.logs import REDACTED, configure_logging, redact


def test_redact_blanks_coordinates_and_keeps_other_numbers() -> None:
    line = "location=(51.507312, -0.127641) took 0.25 s for 12 venues, version 3"
    assert redact(line) == f"location=({REDACTED}, {REDACTED}) took 0.25 s for 12 venues, version 3"
    assert redact("{'latitude': 51.51, 'longitude': -0.1340}") == (
        f"{{'latitude': 51.51, 'longitude': {REDACTED}}}"
    )


def test_configured_logging_redacts_messages_and_tracebacks() -> None:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", stream=buffer)
        logger = logging.getLogger("nightsafe.test")
        logger.info("user at %s,%s", 51.513987, -0.131234)
        try:
            raise ValueError("bad point 51.509876 -0.134567")
        except ValueError:
            logger.exception("failed")
    finally:
        root.handlers[:], root_level = saved
        root.setLevel(root_level)
    written = buffer.getvalue()
    assert "user at" in written
    assert "ValueError" in written
    for coordinate in ("51.513987", "-0.131234", "51.509876", "0.134567", "51.5139"):
        assert coordinate not in written
