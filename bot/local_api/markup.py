"""Reply markup as the Bot API checks it: inline keyboards (one action per button,
callback_data of 1-64 bytes, at most 100 buttons) and reply keyboards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .entities import checked_link
from .errors import bad_request

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Telegram treats an empty url or callback_data as absent.
_EMPTY_MEANS_ABSENT = ("url", "callback_data")


@dataclass(frozen=True)
class Markup:
    """A checked reply_markup: `inline` is what a Message carries, `keyboard` what the
    user's reply keyboard becomes (None = unchanged, {} = removed)."""

    inline: dict[str, Any] | None = None
    keyboard: dict[str, Any] | None = None


def check_reply_markup(value: Any, *, strict: bool = True) -> Markup:
    if value is None or value == "":
        return Markup()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in value:
        rows = _inline_rows(value["inline_keyboard"], strict)
        return Markup(inline={"inline_keyboard": rows} if rows else None)
    if "keyboard" in value:
        return Markup(keyboard=_reply_keyboard(value))
    if value.get("remove_keyboard") or value.get("hide_keyboard"):
        return Markup(keyboard={})
    return Markup()


def check_inline_markup(value: Any, *, strict: bool = True) -> dict[str, Any] | None:
    """Only an inline keyboard is allowed (edits, inline results)."""
    markup = check_reply_markup(value, strict=strict)
    if markup.keyboard is not None:
        raise bad_request("inline keyboard expected")
    return markup.inline


def _inline_rows(rows: Any, strict: bool) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    checked = [[_inline_button(button, strict) for button in row] for row in rows]
    return [row for row in checked if row]


def _inline_button(button: Any, strict: bool) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    actions = [
        name
        for name in _INLINE_ACTIONS
        if name in button and not (name in _EMPTY_MEANS_ABSENT and button[name] in ("", None))
    ]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if strict and len(actions) > 1:
        # Telegram quietly keeps the first action; the Bot API says "exactly one".
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    action = actions[0]
    _check_action(action, button[action])
    return {"text": text, action: button[action]}


def _check_action(action: str, value: Any) -> None:
    if action == "callback_data":
        if not isinstance(value, str) or len(value.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url" and (not isinstance(value, str) or not checked_link(value)):
        raise bad_request(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")


def _reply_keyboard(value: dict[str, Any]) -> dict[str, Any]:
    rows = value["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('Field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else (button or {}).get("text")
            if not isinstance(text, str):
                raise bad_request("can't parse keyboard button: Can't find field \"text\"")
    return value


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every button of an inline keyboard, row by row."""
    if not markup:
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]
