"""A venue's printable poster: a QR code of its deep link, with its name, as a PNG.

`segno` (pure Python) makes the QR code; the image is drawn here as a plain
bitmap and written as a 1-bit PNG with zlib, so no imaging library is needed.
Text uses a small built-in 5×7 capitals font: posters are read from a few metres
away, and capitals are what such signs use anyway. Letters the font lacks are
written without their accents (É → E) or as "?".
"""

from __future__ import annotations

import struct
import textwrap
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import segno

# A medium error-correction level survives a scuffed or partly covered print.
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone, in modules, that scanners need
WIDTH = 1200
MARGIN = 60
QR_TARGET = 840  # about this many pixels across, border included
GLYPH_WIDTH, GLYPH_HEIGHT = 5, 7

# Each glyph: 7 rows of 5 pixels, "#" inked.
_FONT_ROWS: dict[str, str] = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    " ": "..... ..... ..... ..... ..... ..... .....",
    "!": "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",
    '"': ".#.#. .#.#. ..... ..... ..... ..... .....",
    "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
    "&": ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",
    "'": "..#.. ..#.. .#... ..... ..... ..... .....",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
    ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    "*": "..... ..#.. #.#.# .###. #.#.# ..#.. .....",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    "-": "..... ..... ..... ##### ..... ..... .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    "/": "..... ....# ...#. ..#.. .#... #.... .....",
    ":": "..... .##.. .##.. ..... .##.. .##.. .....",
    ";": "..... .##.. .##.. ..... .##.. ..#.. .#...",
    "<": "...#. ..#.. .#... #.... .#... ..#.. ...#.",
    "=": "..... ..... ##### ..... ##### ..... .....",
    ">": ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
    "@": ".###. #...# ....# .##.# #.#.# #.#.# .###.",
    "_": "..... ..... ..... ..... ..... ..... #####",
}
_FONT: dict[str, tuple[str, ...]] = {ch: tuple(rows.split()) for ch, rows in _FONT_ROWS.items()}
_LOOKALIKES = str.maketrans({"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"'})


def deep_link(bot_username: str, venue_id: int) -> str:
    """The link a poster's QR code holds: opens the bot on that venue's card."""
    return f"https://t.me/{bot_username}?start=venue_{venue_id}"


def printable(text: str) -> str:
    """The text in the poster font's letters: capitals, accents dropped, others as "?"."""
    plain = unicodedata.normalize("NFKD", text.translate(_LOOKALIKES))
    letters = "".join(c for c in plain if not unicodedata.combining(c)).upper()
    return "".join(c if c in _FONT else "?" for c in " ".join(letters.split()))


@dataclass
class _Canvas:
    """A white bitmap; True is ink."""

    width: int
    height: int

    def __post_init__(self) -> None:
        self.rows = [bytearray(self.width) for _ in range(self.height)]

    def fill(self, x: int, y: int, width: int, height: int) -> None:
        for row in self.rows[y : y + height]:
            row[x : x + width] = b"\x01" * width

    def png(self) -> bytes:
        return _png_1bit(self.width, self.height, self.rows)


def _wrapped(text: str, scale: int, max_lines: int) -> list[str]:
    per_line = max(1, (WIDTH - 2 * MARGIN) // ((GLYPH_WIDTH + 1) * scale))
    lines = textwrap.wrap(printable(text), per_line, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 3].rstrip() + "..."
    return lines


def _text_height(lines: Sequence[str], scale: int) -> int:
    return len(lines) * (GLYPH_HEIGHT + 3) * scale


def _draw_text(canvas: _Canvas, lines: Sequence[str], top: int, scale: int) -> int:
    """Draw centred lines from `top`; returns the y below them."""
    y = top
    for line in lines:
        x = (canvas.width - len(line) * (GLYPH_WIDTH + 1) * scale + scale) // 2
        for char in line:
            for row, bits in enumerate(_FONT[char]):
                for column, bit in enumerate(bits):
                    if bit == "#":
                        canvas.fill(x + column * scale, y + row * scale, scale, scale)
            x += (GLYPH_WIDTH + 1) * scale
        y += (GLYPH_HEIGHT + 3) * scale
    return y


def qr_code(link: str) -> segno.QRCode:
    return segno.make(link, error=QR_ERROR, micro=False)


def poster_png(link: str, *, venue_name: str, heading: str, caption: str) -> bytes:
    """The poster: heading (the partnership), the venue's name, the QR code of `link`,
    and a line saying what scanning it does."""
    qr = qr_code(link)
    modules = qr.symbol_size(scale=1, border=QR_BORDER)[0]
    module_px = max(4, QR_TARGET // modules)
    qr_px = modules * module_px
    heading_lines = _wrapped(heading, 4, 2)
    name_lines = _wrapped(venue_name, 8, 3)
    caption_lines = _wrapped(caption, 5, 3)
    height = (
        2 * MARGIN
        + _text_height(heading_lines, 4)
        + _text_height(name_lines, 8)
        + qr_px
        + _text_height(caption_lines, 5)
        + 40
    )
    canvas = _Canvas(WIDTH, height)
    y = _draw_text(canvas, heading_lines, MARGIN, 4) + 20
    y = _draw_text(canvas, name_lines, y, 8)
    _draw_qr(canvas, qr, (WIDTH - qr_px) // 2, y, module_px)
    _draw_text(canvas, caption_lines, y + qr_px + 20, 5)
    return canvas.png()


def _draw_qr(canvas: _Canvas, qr: segno.QRCode, left: int, top: int, module_px: int) -> None:
    for row, line in enumerate(qr.matrix):
        for column, dark in enumerate(line):
            if dark:
                canvas.fill(
                    left + (column + QR_BORDER) * module_px,
                    top + (row + QR_BORDER) * module_px,
                    module_px,
                    module_px,
                )


# Ink (1) → bit 0 (black), paper (0) → bit 1 (white), as ASCII digits for int(…, 2).
_AS_BITS = bytes.maketrans(b"\x00\x01", b"10")


def _png_1bit(width: int, height: int, rows: Sequence[bytearray]) -> bytes:
    """A greyscale PNG of 1 bit per pixel (ink black, the rest white)."""
    padded = -width % 8
    packed_rows: dict[bytes, bytes] = {}  # many rows repeat: pack each once
    packed = bytearray()
    for row in rows:
        key = bytes(row)
        if key not in packed_rows:
            bits = key.translate(_AS_BITS) + b"1" * padded
            packed_rows[key] = int(bits, 2).to_bytes(len(bits) // 8, "big")
        packed.append(0)  # filter type: none
        packed += packed_rows[key]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(bytes(packed), 9)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
