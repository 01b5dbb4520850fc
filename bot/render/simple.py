"""Simple answers (/simple): plain text with no icons and no buttons under answers.

Every sentence already says in words what its icon shows (a test holds the
catalogue to that), so taking the icons away loses nothing — it only spares a
screen reader from reading "police car light" before every line.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove

from bot.render import Reply
from bot.texts import Html, t

_ICONS = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags…
    "\u2190-\u21ff"  # arrows
    "\u2300-\u23ff"  # technical (⏳ ⏹)
    "\u2460-\u24ff"  # enclosed numbers
    "\u25a0-\u27bf"  # shapes, dingbats (✅ ✓ ☎ ⚠ ⭐)
    "\u2900-\u297f"
    "\u2b00-\u2bff"  # ⭐ ⬆
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiners, keycaps
    "]"
)
_TAG = re.compile(r"<[^>]+>")
# A direction mark (right-to-left lines start with one) keeps its place; the space that
# separated it from a removed icon goes.
_MARK_THEN_SPACE = re.compile(r"^([\u200e\u200f])\s+")


def plain(text: str) -> str:
    """Text without markup or icons, one clean line at a time."""
    unmarked = html.unescape(_TAG.sub("", text))
    lines = [re.sub(r"\s{2,}", " ", _ICONS.sub("", line)).strip() for line in unmarked.split("\n")]
    return "\n".join(_MARK_THEN_SPACE.sub(r"\1", line) for line in lines).strip()


def simplified(reply: Reply, language: str) -> Reply:
    """The same reply for simple mode; its text is plain (send it without a parse mode)."""
    lines = [plain(reply.text)]
    keyboard = reply.keyboard
    if isinstance(keyboard, InlineKeyboardMarkup):
        buttons = [button for row in keyboard.inline_keyboard for button in row]
        links = [
            t("simple.link", language, label=plain(b.text), url=b.url) for b in buttons if b.url
        ]
        lines.extend(html.unescape(link) for link in links)
        keyboard = _plain_buttons(keyboard) if reply.interactive else None
    elif keyboard is not None:
        keyboard = ReplyKeyboardRemove()
    return replace(reply, text=Html("\n".join(lines)), keyboard=keyboard)


def _plain_buttons(keyboard: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(b.text) or b.text, callback_data=b.callback_data)
                for b in row
                if b.callback_data
            ]
            for row in keyboard.inline_keyboard
        ]
    )
