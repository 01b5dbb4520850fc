"""Helpers shared by the method modules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request
from ..markup import Markup
from ..params import Params
from ..state import ChatMessage, ChatState, TelegramState


@dataclass(frozen=True)
class WithDescription:
    """A result Telegram answers with a human description too (setWebhook and friends)."""

    result: Any
    description: str


def snapshot(message: ChatMessage) -> dict[str, Any]:
    """A deep copy (the message may be edited later); JSON's round trip is several times
    quicker than copy.deepcopy for what is JSON anyway."""
    copied: dict[str, Any] = json.loads(json.dumps(message.api))
    return copied


def reply_fields(chat: ChatState, p: Params) -> dict[str, Any]:
    """`reply_to_message` for reply_parameters / reply_to_message_id, as Telegram fills it."""
    reply = p.get("reply_parameters") or {}
    message_id = reply.get("message_id") if isinstance(reply, dict) else None
    message_id = message_id or p.get("reply_to_message_id")
    if not message_id:
        return {}
    allow_missing = bool(reply.get("allow_sending_without_reply")) or bool(
        p.get("allow_sending_without_reply")
    )
    target = chat.messages.get(message_id)
    if target is None or target.deleted:
        if allow_missing:
            return {}
        raise bad_request("message to be replied not found")
    replied = snapshot(target)
    replied.pop("reply_to_message", None)
    return {"reply_to_message": replied}


def send(
    state: TelegramState,
    chat: ChatState,
    p: Params,
    content: dict[str, Any],
    markup: Markup,
    file: Any = None,
) -> dict[str, Any]:
    """Store a new bot message in `chat` and return it as the Bot API would."""
    content = {**content, **reply_fields(chat, p)}
    if markup.inline:
        content["reply_markup"] = markup.inline
    if p.get("protect_content"):
        content["has_protected_content"] = True
    if markup.keyboard is not None:
        chat.reply_keyboard = markup.keyboard or None
    return snapshot(state.add_message(chat, content, file=file))


def text_fields(key: str, text: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
    """{"text": …, "entities": […]} (or caption / caption_entities), entities only if any."""
    fields: dict[str, Any] = {key: text} if text else {}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields


def message_target(
    state: TelegramState, p: Params, action: str = "edit"
) -> tuple[ChatState, ChatMessage]:
    chat = state.chat_for_bot(p.get("chat_id"))
    if p.get("message_id") in (None, ""):
        raise bad_request("message identifier is not specified")
    return chat, state.bot_message(chat, p.get("message_id"), action)
