"""Reads a Bot API request the way Telegram does: query string, JSON body, url-encoded
form or multipart form, where non-string values arrive JSON-encoded (as PTB sends them)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from .errors import bad_request
from .files import UploadedFile

_INT_FIELDS = frozenset(
    [
        "message_id",
        "offset",
        "limit",
        "timeout",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "cache_time",
        "user_id",
        "direct_messages_topic_id",
    ]
)
_FLOAT_FIELDS = frozenset(["latitude", "longitude", "horizontal_accuracy"])
_BOOL_FIELDS = frozenset(
    [
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "is_personal",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    ]
)
_JSON_FIELDS = frozenset(
    [
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "results",
        "link_preview_options",
        "reply_parameters",
        "button",
        "media",
        "message_ids",
    ]
)
_CHAT_FIELDS = frozenset(("chat_id", "from_chat_id"))


class Params(dict[str, Any]):
    """A request's parameters, typed, plus its uploaded files by part name."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        super().__init__(values)
        self.files = files

    def require(self, name: str, message: str | None = None) -> Any:
        value = self.get(name)
        if value is None or value == "":
            raise bad_request(message or f'parameter "{name}" is required')
        return value


async def read_params(request: web.Request) -> Params:
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            raw.update(await _json_body(request))
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, FileField):
                    files[name] = _uploaded(name, value)
                else:
                    raw[name] = value
    return Params({name: _typed(name, value) for name, value in raw.items()}, files)


async def _json_body(request: web.Request) -> dict[str, Any]:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        raise bad_request("can't parse JSON encoded request") from None
    if not isinstance(body, dict):
        raise bad_request("JSON object expected as request body")
    return body


def _uploaded(name: str, field: FileField) -> UploadedFile:
    return UploadedFile(
        field=name,
        filename=field.filename or name,
        content_type=field.content_type or "application/octet-stream",
        data=field.file.read(),
    )


def _typed(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return _json_typed(name, value)
    if name in _CHAT_FIELDS:
        return _chat_id(value)
    if name in _INT_FIELDS:
        return _number(name, value, int)
    if name in _FLOAT_FIELDS:
        return _number(name, value, float)
    if name in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "yes", "1")
    if name in _JSON_FIELDS and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def _json_typed(name: str, value: Any) -> Any:
    """A JSON body's number where Telegram expects a string (text=123) is that string."""
    typed_fields = _INT_FIELDS | _FLOAT_FIELDS | _BOOL_FIELDS | _JSON_FIELDS | _CHAT_FIELDS
    if isinstance(value, int | float) and not isinstance(value, bool) and name not in typed_fields:
        return str(value)
    return value


def _chat_id(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value.strip()


def _number(name: str, value: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(value)
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None
