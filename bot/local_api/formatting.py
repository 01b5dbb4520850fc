"""Turns a request's text + parse_mode (or explicit entities) into what Telegram would
store, and applies Telegram's length limits."""

from __future__ import annotations

from typing import Any

from .entities import FormattedText, sort_entities, trim, utf16_len, with_auto_entities
from .errors import bad_request
from .html_mode import parse_html
from .markdown_mode import parse_markdown, parse_markdown_v2

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200


def format_text(
    raw: str | None,
    parse_mode: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    *,
    strict: bool = True,
) -> FormattedText:
    """Parse `raw` the way the Bot API does: explicit entities win over parse_mode."""
    raw = raw or ""
    if entities:
        parsed = FormattedText(raw, sort_entities(_checked_entities(raw, entities)))
    else:
        parsed = _parse(raw, (parse_mode or "").strip().lower(), strict)
    return with_auto_entities(trim(parsed))


def _parse(raw: str, mode: str, strict: bool) -> FormattedText:
    if mode == "":
        return FormattedText(raw, [])
    if mode == "html":
        return parse_html(raw, strict_ampersand=strict)
    if mode == "markdownv2":
        return parse_markdown_v2(raw)
    if mode == "markdown":
        return parse_markdown(raw)
    raise bad_request("unsupported parse_mode")


def _checked_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    total = utf16_len(text)
    checked = []
    for entity in entities:
        if not isinstance(entity, dict) or "type" not in entity:
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be a valid Number')
        if length > 0 and 0 <= offset < total:
            checked.append({**entity, "length": min(length, total - offset)})
    return checked


def message_text(
    raw: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None, strict: bool
) -> FormattedText:
    """A message's text: must be non-empty and at most 4096 UTF-16 units once parsed."""
    if not raw:
        raise bad_request("message text is empty")
    formatted = format_text(raw, parse_mode, entities, strict=strict)
    if not formatted.text:
        raise bad_request("message text is empty")
    if formatted.length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return formatted


def caption_text(
    raw: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None, strict: bool
) -> FormattedText:
    """A media caption: may be empty, at most 1024 UTF-16 units once parsed."""
    formatted = format_text(raw, parse_mode, entities, strict=strict)
    if formatted.length > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return formatted
