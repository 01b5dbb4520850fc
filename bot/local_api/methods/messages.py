"""send* methods, copyMessage and forwardMessage."""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..files import StoredFile, image_size
from ..formatting import caption_text, message_text
from ..markup import check_reply_markup
from ..params import Params
from ..state import TelegramState
from .common import send, snapshot, text_fields

LIVE_PERIOD_FOREVER = 0x7FFFFFFF
_COPIED_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "location",
    "venue",
)


def send_message(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    formatted = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"), state.strict)
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    content = text_fields("text", formatted.text, formatted.entities)
    preview = p.get("link_preview_options")
    if isinstance(preview, dict) and preview:
        content["link_preview_options"] = preview
    return send(state, chat, p, content, markup)


def location_object(p: Params, *, live: bool = True) -> dict[str, Any]:
    latitude, longitude = p.get("latitude"), p.get("longitude")
    if not isinstance(latitude, int | float) or not -90 <= latitude <= 90:
        raise bad_request("wrong latitude specified")
    if not isinstance(longitude, int | float) or not -180 <= longitude <= 180:
        raise bad_request("wrong longitude specified")
    location: dict[str, Any] = {"latitude": float(latitude), "longitude": float(longitude)}
    accuracy = p.get("horizontal_accuracy")
    if accuracy is not None:
        if not 0 <= accuracy <= 1500:
            raise bad_request("wrong horizontal accuracy specified")
        location["horizontal_accuracy"] = float(accuracy)
    live_period = p.get("live_period") if live else None
    if live_period:
        if not (60 <= live_period <= 86400 or live_period == LIVE_PERIOD_FOREVER):
            raise bad_request("wrong live period specified")
        location["live_period"] = live_period
        for name in ("heading", "proximity_alert_radius"):
            if p.get(name):
                location[name] = p[name]
    return location


def send_location(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    location = location_object(p)
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    return send(state, chat, p, {"location": location}, markup)


def send_venue(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    location = location_object(p, live=False)
    title, address = p.get("title"), p.get("address")
    if not title:
        raise bad_request("venue title must be non-empty")
    if not address:
        raise bad_request("venue address must be non-empty")
    venue: dict[str, Any] = {"location": location, "title": title, "address": address}
    for name in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        if p.get(name):
            venue[name] = p[name]
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    return send(state, chat, p, {"venue": venue, "location": location}, markup)


def _input_file(state: TelegramState, p: Params, field: str, folder: str) -> StoredFile:
    value = p.get(field)
    upload = p.files.get(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = p.files.get(value[len("attach://") :])
    if upload is not None:
        return state.files.add(upload, folder)
    if isinstance(value, str) and value:
        if value.startswith(("http://", "https://")):
            # This server is offline: it cannot fetch a URL the way Telegram would.
            raise bad_request("failed to get HTTP URL content")
        stored = state.files.get(value)
        if stored is not None:
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified")
    raise bad_request(f"there is no {field} in the request")


def _file_ids(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }


def send_photo(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    caption = caption_text(
        p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), state.strict
    )
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    stored = _input_file(state, p, "photo", "photos")
    size = image_size(stored.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    photo = [{**_file_ids(stored), "width": width, "height": height}]
    content = {"photo": photo, **text_fields("caption", caption.text, caption.entities)}
    return send(state, chat, p, content, markup, file=stored)


def send_document(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    caption = caption_text(
        p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), state.strict
    )
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    stored = _input_file(state, p, "document", "documents")
    document = {**_file_ids(stored)}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    content = {"document": document, **text_fields("caption", caption.text, caption.entities)}
    return send(state, chat, p, content, markup, file=stored)


def _source_message(state: TelegramState, p: Params) -> Any:
    source_chat = state.chat(p.get("from_chat_id"))
    source = source_chat.messages.get(p.get("message_id"))
    if source is None or source.deleted:
        raise bad_request("message to copy not found")
    return source


def copy_message(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    source = _source_message(state, p)
    markup = check_reply_markup(p.get("reply_markup"), strict=state.strict)
    content = {key: source.api[key] for key in _COPIED_KEYS if key in source.api}
    if p.get("caption") is not None and ("photo" in content or "document" in content):
        caption = caption_text(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), state.strict
        )
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(text_fields("caption", caption.text, caption.entities))
    message = send(state, chat, p, content, markup, file=source.file)
    return {"message_id": message["message_id"]}


def forward_message(state: TelegramState, p: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(p.get("chat_id"))
    source = _source_message(state, p)
    content: dict[str, Any] = {key: source.api[key] for key in _COPIED_KEYS if key in source.api}
    content["forward_origin"] = {
        "type": "user",
        "date": source.api["date"],
        "sender_user": source.api["from"],
    }
    message = state.add_message(chat, content, file=source.file)
    return snapshot(message)
