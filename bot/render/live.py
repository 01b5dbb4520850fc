"""A nearby answer that follows a live location, and the same answer once it stopped.

While following, the message keeps only the buttons that carry no position of the
person (links to a venue): the others would hold their coordinates, and an answer
waiting for its turn to be shown must not.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.render import Keyboard, Reply
from bot.texts import join, t


def following(answer: Reply, language: str) -> Reply:
    text = join([answer.text, t("live.following", language)], "\n\n")
    return Reply(text, _without_position(answer.keyboard), answer.pin)


def stopped(answer: Reply, language: str) -> Reply:
    text = join([answer.text, t("live.stopped", language)], "\n\n")
    return Reply(text, _without_position(answer.keyboard))


def _without_position(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not isinstance(keyboard, InlineKeyboardMarkup):
        return None
    rows = [[button for button in row if button.url] for row in keyboard.inline_keyboard]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None
