"""The printable poster: a real PNG whose QR code is exactly the venue's deep link."""

from __future__ import annotations

import struct
import zlib

import segno

from bot.poster import QR_BORDER, QR_ERROR, deep_link, poster_png, printable

NAME = 'The <Crown> & "Anchor" — Café_*'


def _read_png(data: bytes) -> tuple[int, int, list[list[bool]]]:
    """Width, height and ink (True) of the 1-bit greyscale PNG the poster writes."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (1, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        assert line[0] == 0  # no filter
        bits = "".join(f"{byte:08b}" for byte in line[1:])[:width]
        rows.append([bit == "0" for bit in bits])
    return width, height, rows


def _first_run(row: list[bool]) -> tuple[int, int]:
    """(start, length) of the first run of ink in a row; (0, 0) for a blank row."""
    if True not in row:
        return 0, 0
    start = row.index(True)
    end = row.index(False, start) if False in row[start:] else len(row)
    return start, end - start


def _qr_in(rows: list[list[bool]], modules: int) -> list[list[bool]]:
    """The QR code's modules as drawn, sampled at each module's centre.

    The top-left finder pattern's top edge is the widest first run of ink on the page
    (7 modules, always followed by a light separator); text is far narrower."""
    runs = [(_first_run(row), y) for y, row in enumerate(rows)]
    (left, width), top = max(runs, key=lambda run: run[0][1])
    module = width // 7
    size = modules - 2 * QR_BORDER
    return [
        [rows[top + r * module + module // 2][left + c * module + module // 2] for c in range(size)]
        for r in range(size)
    ]


def test_deep_link_opens_the_bot_on_the_venue() -> None:
    assert deep_link("NightSafeBot", 42) == "https://t.me/NightSafeBot?start=venue_42"


def test_poster_is_a_png_whose_qr_code_is_the_deep_link() -> None:
    link = deep_link("NightSafeBot", 42)
    png = poster_png(link, venue_name=NAME, heading="West End NightSafe", caption="Scan me")
    width, height, rows = _read_png(png)
    assert width == 1200
    assert 1000 < height < 2000
    expected = segno.make(link, error=QR_ERROR, micro=False)
    modules = expected.symbol_size(scale=1, border=QR_BORDER)[0]
    drawn = _qr_in(rows, modules)
    assert drawn == [[bool(m) for m in row] for row in expected.matrix]
    # Another link would have drawn another code.
    other = segno.make(deep_link("NightSafeBot", 43), error=QR_ERROR, micro=False)
    assert drawn != [[bool(m) for m in row] for row in other.matrix]


def test_poster_text_is_written_in_the_font_it_has() -> None:
    assert printable(NAME) == 'THE <CROWN> & "ANCHOR" - CAFE_*'
    assert printable("Łódź 🍸 bar") == "?ODZ ? BAR"
