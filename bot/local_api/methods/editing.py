"""editMessage*, stopMessageLiveLocation, deleteMessage, pin / unpin."""

from __future__ import annotations

from typing import Any

from ..errors import NOT_MODIFIED, bad_request
from ..formatting import caption_text, message_text
from ..markup import check_inline_markup
from ..params import Params
from ..state import ChatEvent, ChatMessage, TelegramState
from .common import message_target, snapshot, text_fields
from .messages import location_object


def _edited(
    state: TelegramState, message: ChatMessage, new: dict[str, Any], keys: tuple[str, ...]
) -> dict[str, Any]:
    """Apply `new` over `keys` (absent in `new` = removed), or fail as 'not modified'."""
    old = {key: message.api[key] for key in keys if key in message.api}
    if old == new:
        raise bad_request(NOT_MODIFIED)
    state.edit_message(message, new, drop=tuple(key for key in keys if key not in new))
    return snapshot(message)


def _inline_message_result(p: Params) -> bool | None:
    # Messages sent via inline mode are not tracked; Telegram answers True for them.
    return True if p.get("inline_message_id") else None


def edit_message_text(state: TelegramState, p: Params) -> Any:
    if (inline := _inline_message_result(p)) is not None:
        return inline
    _chat, message = message_target(state, p)
    formatted = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"), state.strict)
    markup = check_inline_markup(p.get("reply_markup"), strict=state.strict)
    if "text" not in message.api:
        raise bad_request("there is no text in the message to edit")
    new = text_fields("text", formatted.text, formatted.entities)
    if markup:
        new["reply_markup"] = markup
    return _edited(state, message, new, ("text", "entities", "reply_markup"))


def edit_message_caption(state: TelegramState, p: Params) -> Any:
    if (inline := _inline_message_result(p)) is not None:
        return inline
    _chat, message = message_target(state, p)
    caption = caption_text(
        p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), state.strict
    )
    markup = check_inline_markup(p.get("reply_markup"), strict=state.strict)
    if "photo" not in message.api and "document" not in message.api:
        raise bad_request("there is no caption in the message to edit")
    new = text_fields("caption", caption.text, caption.entities)
    if markup:
        new["reply_markup"] = markup
    return _edited(state, message, new, ("caption", "caption_entities", "reply_markup"))


def edit_message_reply_markup(state: TelegramState, p: Params) -> Any:
    if (inline := _inline_message_result(p)) is not None:
        return inline
    _chat, message = message_target(state, p)
    markup = check_inline_markup(p.get("reply_markup"), strict=state.strict)
    return _edited(state, message, {"reply_markup": markup} if markup else {}, ("reply_markup",))


def _live_location(state: TelegramState, message: ChatMessage) -> dict[str, Any]:
    location = message.api.get("location")
    if not location or "live_period" not in location or "venue" in message.api:
        raise bad_request("message can't be edited")
    expires = message.api["date"] + location["live_period"]
    if message.live_stopped or state.now() >= expires:
        raise bad_request("message can't be edited")
    return location


def edit_message_live_location(state: TelegramState, p: Params) -> Any:
    if (inline := _inline_message_result(p)) is not None:
        return inline
    _chat, message = message_target(state, p)
    old = _live_location(state, message)
    moved = location_object(p, live=False)
    location = {**old, **moved}
    for name in ("heading", "proximity_alert_radius"):
        if p.get(name):
            location[name] = p[name]
    if p.get("live_period"):
        location["live_period"] = p["live_period"]
    markup = check_inline_markup(p.get("reply_markup"), strict=state.strict)
    new: dict[str, Any] = {"location": location}
    if markup:
        new["reply_markup"] = markup
    return _edited(state, message, new, ("location", "reply_markup"))


def stop_message_live_location(state: TelegramState, p: Params) -> Any:
    if (inline := _inline_message_result(p)) is not None:
        return inline
    _chat, message = message_target(state, p)
    location = _live_location(state, message)
    markup = check_inline_markup(p.get("reply_markup"), strict=state.strict)
    message.live_stopped = True
    new: dict[str, Any] = {"location": location}
    if markup:
        new["reply_markup"] = markup
    state.edit_message(message, new, drop=() if markup else ("reply_markup",))
    return snapshot(message)


def delete_message(state: TelegramState, p: Params) -> bool:
    chat, message = message_target(state, p, action="delete")
    message.deleted = True
    chat.events.append(ChatEvent("deleted", message.message_id, message.text or ""))
    return True


def pin_chat_message(state: TelegramState, p: Params) -> bool:
    chat, message = message_target(state, p, action="pin")
    message.pinned = True
    chat.events.append(ChatEvent("pinned", message.message_id, message.text or ""))
    return True


def unpin_chat_message(state: TelegramState, p: Params) -> bool:
    chat = state.chat_for_bot(p.get("chat_id"))
    pinned = [m for m in chat.visible() if m.pinned]
    if p.get("message_id"):
        pinned = [m for m in pinned if m.message_id == p["message_id"]]
    if not pinned:
        raise bad_request("message to unpin not found")
    target = pinned[-1]
    target.pinned = False
    chat.events.append(ChatEvent("unpinned", target.message_id, target.text or ""))
    return True
