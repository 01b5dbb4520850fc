"""getMe, getChat, getFile, sendChatAction, bot commands, logOut and close."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import bad_request
from ..params import Params
from ..state import TelegramState

CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMANDS = 100


def get_me(state: TelegramState, p: Params) -> dict[str, Any]:
    return state.bot.get_me()


def get_chat(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat(p.get("chat_id"))
    return {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def get_file(state: TelegramState, p: Params) -> dict[str, Any]:
    stored = state.files.get(str(p.get("file_id") or ""))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def send_chat_action(state: TelegramState, p: Params) -> bool:
    state.chat_for_bot(p.get("chat_id"))
    if str(p.get("action") or "").lower() not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = p.get("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def _checked_command(command: Any) -> dict[str, str]:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand: BotCommand must be an Object")
    name = str(command.get("command") or "").removeprefix("/")
    description = str(command.get("description") or "")
    if not name:
        raise bad_request("command must be non-empty")
    if not _COMMAND.fullmatch(name):
        raise bad_request(
            "invalid command name specified" if len(name) <= 32 else "command is too long"
        )
    if not description.strip():
        raise bad_request("command description must be non-empty")
    if len(description) > 256:
        raise bad_request("command description is too long")
    return {"command": name, "description": description}


def set_my_commands(state: TelegramState, p: Params) -> bool:
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    checked = [_checked_command(command) for command in commands]
    state.commands[_commands_key(p)] = checked
    return True


def get_my_commands(state: TelegramState, p: Params) -> list[dict[str, str]]:
    return list(state.commands.get(_commands_key(p), []))


def delete_my_commands(state: TelegramState, p: Params) -> bool:
    state.commands.pop(_commands_key(p), None)
    return True


def log_out(state: TelegramState, p: Params) -> bool:
    return True


def close(state: TelegramState, p: Params) -> bool:
    return True
