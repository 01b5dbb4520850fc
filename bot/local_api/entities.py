"""Message entities: UTF-16 arithmetic, link checks, trimming and the entities Telegram
finds by itself (bot commands, mentions, hashtags, URLs, e-mail addresses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

# Telegram counts offsets and lengths in UTF-16 code units.
_WHITESPACE = " \t\r\n\v\f"
# (type, a string every match contains, pattern): the pattern runs only if it is there.
_AUTO_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "bot_command",
        "/",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    (
        "email",
        "@",
        re.compile(r"(?<![\w.@])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    ("url", "://", re.compile(r"(?<![\w@/])(?:https?://)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")),
    ("mention", "@", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}\b")),
    ("hashtag", "#", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class FormattedText:
    """Text as the user sees it and its entities (Bot API JSON), offsets in UTF-16 units."""

    text: str
    entities: list[Entity] = field(default_factory=list)

    @property
    def length(self) -> int:
        return utf16_len(self.text)


def checked_link(url: str) -> str:
    """A usable link or "" (Telegram silently drops a text link with an unusable URL)."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return ""
    lowered = url.lower()
    if lowered.startswith(("tg://", "ton://")):
        return url
    if re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith(("http:", "https:")):
        return ""
    host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0].split("?")[0]
    host = host.split("@")[-1].split(":")[0]
    if host.lower() != "localhost" and not re.fullmatch(r"[\w-]+(\.[\w-]+)+", host):
        return ""
    return url if lowered.startswith(("http:", "https:")) else f"http://{url}"


def mention_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


def link_entity(offset: int, length: int, url: str) -> Entity | None:
    """The entity an <a href> or [text](url) becomes: a text_mention, a text_link or nothing."""
    user_id = mention_user_id(url)
    if user_id is not None:
        user = {"id": user_id, "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    link = checked_link(url)
    if not link:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": link}


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(formatted: FormattedText) -> FormattedText:
    """Strip leading and trailing whitespace as Telegram does, keeping entities aligned."""
    text = formatted.text
    stripped_left = text.lstrip(_WHITESPACE)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_WHITESPACE)
    end = utf16_len(result)
    entities: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return FormattedText(result, entities)


def find_auto_entities(text: str, taken: list[Entity]) -> list[Entity]:
    """Entities Telegram adds by itself, skipping any that overlap an explicit entity."""
    # Offsets in UTF-16 units: the string's own when every character takes one unit.
    single_units = utf16_len(text) == len(text)
    spans = [(e["offset"], e["offset"] + e["length"]) for e in taken]
    found: list[Entity] = []
    for kind, marker, pattern in _AUTO_PATTERNS:
        if marker not in text:
            continue
        for match in pattern.finditer(text):
            start, stop = match.start(), match.end()
            if not single_units:
                start, stop = utf16_len(text[:start]), utf16_len(text[:stop])
            if any(start < s_stop and s_start < stop for s_start, s_stop in spans):
                continue
            spans.append((start, stop))
            found.append({"type": kind, "offset": start, "length": stop - start})
    return found


def with_auto_entities(formatted: FormattedText) -> FormattedText:
    auto = find_auto_entities(formatted.text, formatted.entities)
    return FormattedText(formatted.text, sort_entities([*formatted.entities, *auto]))
