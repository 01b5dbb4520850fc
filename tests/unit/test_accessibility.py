"""Icons are never the only carrier of meaning: every text says it in words too,
and simple mode's plain form keeps every word."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.render import Reply
from bot.render.simple import plain, simplified
from bot.texts import ENGLISH, Html

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _icon_only(template: str) -> bool:
    """An icon with neither words nor a value beside it."""
    words = plain(_PLACEHOLDER.sub("", template))
    has_icon = plain(template) != re.sub(r"<[^>]+>", "", template).strip()
    return has_icon and not re.search(r"\w", words) and not _PLACEHOLDER.search(template)


def test_icon_only_finds_a_lonely_icon() -> None:
    assert _icon_only("🆘")
    assert _icon_only("<b>⏹</b>")
    assert not _icon_only("🆘 Emergency")
    assert not _icon_only("✓ {label}")


def test_every_text_with_an_icon_also_has_words() -> None:
    assert [key for key, template in ENGLISH.items() if _icon_only(template)] == []


def test_plain_drops_markup_and_icons_but_keeps_words_and_numbers() -> None:
    html = "🆘 In an emergency call <b>999</b> &amp; stay safe.\n   📫 1 Lisle St &lt;rear&gt;"
    assert plain(html) == "In an emergency call 999 & stay safe.\n1 Lisle St <rear>"


def test_plain_keeps_a_right_to_left_mark_at_the_start_of_its_line() -> None:
    arabic = "\u200f🆘 <b>في حالة الطوارئ</b> اتصل بالرقم 999"
    assert plain(arabic) == "\u200fفي حالة الطوارئ اتصل بالرقم 999"


def test_simplified_answer_has_no_keyboard_and_spells_out_links() -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🧭 Directions", url="https://example.org/d"),
                InlineKeyboardButton("➕ More", callback_data="n|1"),
            ]
        ]
    )
    simple = simplified(Reply(Html("<b>Open near you now</b>"), keyboard), "en")
    assert simple.keyboard is None
    assert simple.text == "Open near you now\nDirections: https://example.org/d"


def test_simplified_picker_keeps_its_buttons_without_icons() -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✓ Soho", callback_data="sz|t|1|0")]])
    simple = simplified(Reply(Html("Choose"), keyboard, interactive=True), "en")
    assert simple.keyboard.inline_keyboard[0][0].text == "Soho"


def test_simplified_removes_the_main_keyboard() -> None:
    simple = simplified(Reply(Html("Hi"), ReplyKeyboardMarkup([["🆘 Emergency"]])), "en")
    assert simple.keyboard is not None
    assert simple.keyboard.to_dict() == {"remove_keyboard": True}
