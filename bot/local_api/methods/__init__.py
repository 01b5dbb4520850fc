"""The Bot API methods this server speaks, by name (Telegram matches names case-insensitively)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..params import Params
from ..state import TelegramState
from . import editing, info, messages, polling, queries
from .common import WithDescription

Handler = Callable[[TelegramState, Params], Any | Awaitable[Any]]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler
    sends: bool = False  # counts toward the global and the per-chat flood limits
    edits: bool = False  # counts toward the per-chat flood limit only


_SPECS = (
    MethodSpec("getMe", info.get_me),
    MethodSpec("getChat", info.get_chat),
    MethodSpec("getFile", info.get_file),
    MethodSpec("sendChatAction", info.send_chat_action),
    MethodSpec("setMyCommands", info.set_my_commands),
    MethodSpec("getMyCommands", info.get_my_commands),
    MethodSpec("deleteMyCommands", info.delete_my_commands),
    MethodSpec("logOut", info.log_out),
    MethodSpec("close", info.close),
    MethodSpec("getUpdates", polling.get_updates),
    MethodSpec("setWebhook", polling.set_webhook),
    MethodSpec("deleteWebhook", polling.delete_webhook),
    MethodSpec("getWebhookInfo", polling.get_webhook_info),
    MethodSpec("sendMessage", messages.send_message, sends=True),
    MethodSpec("sendLocation", messages.send_location, sends=True),
    MethodSpec("sendVenue", messages.send_venue, sends=True),
    MethodSpec("sendPhoto", messages.send_photo, sends=True),
    MethodSpec("sendDocument", messages.send_document, sends=True),
    MethodSpec("copyMessage", messages.copy_message, sends=True),
    MethodSpec("forwardMessage", messages.forward_message, sends=True),
    MethodSpec("editMessageText", editing.edit_message_text, edits=True),
    MethodSpec("editMessageCaption", editing.edit_message_caption, edits=True),
    MethodSpec("editMessageReplyMarkup", editing.edit_message_reply_markup, edits=True),
    MethodSpec("editMessageLiveLocation", editing.edit_message_live_location, edits=True),
    MethodSpec("stopMessageLiveLocation", editing.stop_message_live_location, edits=True),
    MethodSpec("deleteMessage", editing.delete_message),
    MethodSpec("pinChatMessage", editing.pin_chat_message),
    MethodSpec("unpinChatMessage", editing.unpin_chat_message),
    MethodSpec("answerCallbackQuery", queries.answer_callback_query),
    MethodSpec("answerInlineQuery", queries.answer_inline_query),
)
METHODS: dict[str, MethodSpec] = {spec.name.lower(): spec for spec in _SPECS}


def find_method(name: str) -> MethodSpec | None:
    return METHODS.get(name.lower())


__all__ = ["METHODS", "MethodSpec", "WithDescription", "find_method"]
