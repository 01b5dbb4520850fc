"""A person's location is used to answer and then forgotten: after a series of
location and text queries, neither the database (file and WAL, or every row) nor the
logs hold the queried coordinates."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.local_api import LocalBotApiServer
from tests.bot.nightsafe import NightSafe, all_rows, running_nightsafe

SHARED = [(51.507312, -0.127641), (51.513987, -0.131234)]
TYPED = (51.509876, -0.134567)


def _texts() -> list[str]:
    """The coordinates as text, to four decimals (about 10 m)."""
    return [f"{value:.6f}"[:-2] for point in [*SHARED, TYPED] for value in point]


def _needles() -> list[bytes]:
    """The coordinates as text, and as SQLite would store them in binary."""
    binary = [
        struct.pack(order, value)
        for point in [*SHARED, TYPED]
        for value in point
        for order in (">d", "<d")
    ]
    return [text.encode() for text in _texts()] + binary


async def _queries(bot: NightSafe) -> None:
    alex = bot.user()
    for latitude, longitude in SHARED:
        await alex.send_location(latitude, longitude)
        await alex.next_replies(2)
    await alex.send_text(f"{TYPED[0]}, {TYPED[1]}")
    await alex.next_replies(2)
    edits = bot.server.calls_to
    for label in ("➕ More", "♿ Step-free", "🕘 Include closed"):
        before = len(edits("editMessageText"))
        await alex.press(label)
        await bot.server.wait_for(lambda _, n=before: len(edits("editMessageText")) > n)
    await alex.send_command("/subscribe")
    await alex.next_reply()


async def test_queried_coordinates_are_never_stored_or_logged(
    local_bot_api: LocalBotApiServer, database_url: str, bot_log: io.StringIO
) -> None:
    async with running_nightsafe(local_bot_api, database_url) as bot:
        await _queries(bot)
        rows = await all_rows(bot)
    assert rows, "the database dump is empty: the check would prove nothing"
    assert [text for text in _texts() if text in rows] == []
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = Path(url.database)
        stored = b"".join(
            path.read_bytes() for path in (database, Path(f"{database}-wal")) if path.exists()
        )
        assert stored, "the database file was not found"
        assert [needle for needle in _needles() if needle in stored] == []
    logged = bot_log.getvalue()
    assert "Calling Bot API endpoint `sendVenue`" in logged, "the capture did not work"
    assert [text for text in _texts() if text in logged] == []
