"""Telegram's MarkdownV2 and legacy Markdown parse modes, following tdlib's
parse_markdown_v2 / parse_markdown so errors carry Telegram's words and byte offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import Entity, FormattedText, link_entity, sort_entities
from .errors import cant_parse_entities

_V2_RESERVED = b"_*[]()~`>#+-=|{}.!\n"
_SPACES = frozenset(b" \t\r\n\v\0")
# tdlib's names for entity types, as they appear in "Can't find end of X entity".
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}
_SIMPLE_ENDS = {"bold", "italic", "code", "strikethrough"}


@dataclass
class _Open:
    kind: str
    argument: str
    utf16_offset: int
    byte_offset: int
    result_pos: int


class _Src:
    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < len(self.data) else 0


def _reserved(char: int) -> str:
    return f"Character '{chr(char)}' is reserved and must be escaped with the preceding '\\'"


def _is_escapable(char: int) -> bool:
    return 0 < char <= 126


def _utf16_step(byte: int) -> int:
    if (byte & 0xC0) == 0x80:
        return 0
    return 2 if byte >= 0xF0 else 1


def _decoded(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", "replace")


def parse_markdown_v2(text: str) -> FormattedText:
    return _MarkdownV2(text).parse()


class _MarkdownV2:
    def __init__(self, text: str) -> None:
        self.src = _Src(text)
        self.result = bytearray()
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.stack: list[_Open] = []
        self.in_blockquote = False

    def parse(self) -> FormattedText:
        src, i = self.src, 0
        while i < len(src):
            char = src[i]
            if char == ord("\\") and _is_escapable(src[i + 1]):
                self.utf16 += 1
                self.result.append(src[i + 1])
                i += 2
                continue
            verbatim = self.stack and self.stack[-1].kind in ("code", "pre", "pre_code")
            if char not in (b"`" if verbatim else _V2_RESERVED):
                self.utf16 += _utf16_step(char)
                self.result.append(char)
                i += 1
                continue
            i = self._close(i) if self._is_end(i) else self._open(i)
        self._close_trailing_blockquote()
        if self.stack:
            top = self.stack[-1]
            raise cant_parse_entities(
                f"Can't find end of {_TYPE_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
            )
        return FormattedText(_decoded(self.result), sort_entities(self.entities))

    def _is_end(self, i: int) -> bool:
        if not self.stack:
            return False
        src, char = self.src, self.src[i]
        if self.in_blockquote and char == ord("\n") and src[i + 1] != ord(">"):
            return True
        kind = self.stack[-1].kind
        ends = {
            "bold": char == ord("*"),
            "italic": char == ord("_") and src[i + 1] != ord("_"),
            "code": char == ord("`"),
            "pre": char == ord("`") and src[i + 1] == ord("`") and src[i + 2] == ord("`"),
            "text_link": char == ord("]"),
            "underline": char == ord("_") and src[i + 1] == ord("_"),
            "strikethrough": char == ord("~"),
            "spoiler": char == ord("|") and src[i + 1] == ord("|"),
            "custom_emoji": char == ord("]"),
            "blockquote": False,
        }
        return ends["pre" if kind == "pre_code" else kind]

    def _open(self, i: int) -> int:
        src, char, start = self.src, self.src[i], i
        argument = ""
        if char == ord("_"):
            kind = "underline" if src[i + 1] == ord("_") else "italic"
            i += 1 if kind == "underline" else 0
        elif char == ord("*"):
            kind = "bold"
        elif char == ord("~"):
            kind = "strikethrough"
        elif char == ord("|") and src[i + 1] == ord("|"):
            kind, i = "spoiler", i + 1
        elif char == ord("["):
            kind = "text_link"
        elif char == ord("`"):
            kind, argument, i = self._open_code(i)
        elif char == ord("!") and src[i + 1] == ord("["):
            kind, i = "custom_emoji", i + 1
        elif char == ord("\n"):
            self.utf16 += 1
            self.result.append(char)
            if src[i + 1] == ord(">") and i + 1 < len(src):
                i += 1
                if not self.in_blockquote:
                    self.in_blockquote = True
                    self.stack.append(_Open("blockquote", "", self.utf16, start, len(self.result)))
            return i + 1
        elif char == ord(">") and i == 0:
            kind = "blockquote"
            self.in_blockquote = True
        else:
            raise cant_parse_entities(_reserved(char))
        self.stack.append(_Open(kind, argument, self.utf16, start, len(self.result)))
        return i + 1

    def _open_code(self, i: int) -> tuple[str, str, int]:
        src = self.src
        if not (src[i + 1] == ord("`") and src[i + 2] == ord("`")):
            return "code", "", i
        i += 3
        kind, argument = "pre", ""
        language_end = i
        while src[language_end] not in _SPACES and src[language_end] != ord("`"):
            language_end += 1
        if i != language_end and language_end < len(src) and src[language_end] != ord("`"):
            kind, argument = "pre_code", _decoded(src.data[i:language_end])
            i = language_end
        if src[i] in (ord("\n"), ord("\r")):
            pair = src[i + 1] in (ord("\n"), ord("\r")) and src[i] != src[i + 1]
            i += 2 if pair else 1
        return kind, argument, i - 1

    def _close(self, i: int) -> int:
        src, char, top = self.src, self.src[i], self.stack[-1]
        if char == ord("\n") and top.kind != "blockquote":
            raise cant_parse_entities(
                f"Can't find end of {_TYPE_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
            )
        skip = self.utf16 == top.utf16_offset
        entity: Entity | None = None
        emoji_id = ""
        if top.kind in ("underline", "spoiler"):
            i += 1
        elif top.kind in ("pre", "pre_code"):
            i += 2
        elif top.kind == "text_link":
            i, url = self._link_url(i, top)
            entity = link_entity(top.utf16_offset, self.utf16 - top.utf16_offset, url)
            skip = skip or entity is None
        elif top.kind == "custom_emoji":
            i, emoji_id = self._custom_emoji_id(i)
        elif top.kind == "blockquote":
            self.in_blockquote = False
            self.result.append(src[i])
            self.utf16 += 1
        if not skip:
            self.entities.append(entity or self._entity(top))
            if top.kind == "custom_emoji":
                self.entities[-1]["custom_emoji_id"] = emoji_id
        self.stack.pop()
        return i + 1

    def _entity(self, top: _Open) -> Entity:
        entity: Entity = {
            "type": "pre" if top.kind == "pre_code" else top.kind,
            "offset": top.utf16_offset,
            "length": self.utf16 - top.utf16_offset,
        }
        if top.kind == "pre_code":
            entity["language"] = top.argument
        return entity

    def _url_until_paren(self, i: int) -> tuple[int, str, int]:
        src, url = self.src, bytearray()
        begin = i
        while i < len(src) and src[i] != ord(")"):
            if src[i] == ord("\\") and _is_escapable(src[i + 1]):
                url.append(src[i + 1])
                i += 2
                continue
            url.append(src[i])
            i += 1
        return i, _decoded(url), begin

    def _link_url(self, i: int, top: _Open) -> tuple[int, str]:
        if self.src[i + 1] != ord("("):
            return i, _decoded(self.result[top.result_pos :])
        i, url, begin = self._url_until_paren(i + 2)
        if self.src[i] != ord(")"):
            raise cant_parse_entities(f"Can't find end of a URL at byte offset {begin}")
        return i, url

    def _custom_emoji_id(self, i: int) -> tuple[int, str]:
        if self.src[i + 1] != ord("("):
            raise cant_parse_entities("Custom emoji entity must contain a tg://emoji URL")
        i, url, begin = self._url_until_paren(i + 2)
        if self.src[i] != ord(")"):
            raise cant_parse_entities(
                f"Can't find end of a custom emoji URL at byte offset {begin}"
            )
        match = re.fullmatch(r"tg://emoji\?id=([1-9]\d*)", url)
        if not match:
            raise cant_parse_entities("Invalid custom emoji URL specified")
        return i, match.group(1)

    def _close_trailing_blockquote(self) -> None:
        if self.in_blockquote and self.stack and self.stack[-1].kind == "blockquote":
            top = self.stack.pop()
            self.in_blockquote = False
            if self.utf16 != top.utf16_offset:
                self.entities.append(self._entity(top))


_LEGACY_KINDS = {ord("_"): "italic", ord("*"): "bold", ord("`"): "code", ord("["): "text_link"}


def parse_markdown(text: str) -> FormattedText:
    """Legacy Markdown: _italic_, *bold*, `code`, ```pre```, [text](url); `\\` escapes."""
    src, result, entities = _Src(text), bytearray(), []
    utf16, i = 0, 0
    while i < len(src):
        char = src[i]
        if char == ord("\\") and src[i + 1] in b"_*`[":
            result.append(src[i + 1])
            utf16 += 1
            i += 2
            continue
        if char not in _LEGACY_KINDS:
            utf16 += _utf16_step(char)
            result.append(char)
            i += 1
            continue
        begin, end_char = i, ord("]") if char == ord("[") else char
        i += 1
        language, is_pre = "", False
        if char == ord("`") and src[i] == ord("`") and src[i + 1] == ord("`"):
            is_pre, i = True, i + 2
            language_end = i
            while src[language_end] not in _SPACES and src[language_end] != ord("`"):
                language_end += 1
            if i != language_end and language_end < len(src) and src[language_end] != ord("`"):
                language, i = _decoded(src.data[i:language_end]), language_end
            if src[i] in (ord("\n"), ord("\r")):
                pair = src[i + 1] in (ord("\n"), ord("\r")) and src[i] != src[i + 1]
                i += 2 if pair else 1
        offset = utf16
        while i < len(src) and (
            src[i] != end_char
            or (is_pre and not (src[i + 1] == ord("`") and src[i + 2] == ord("`")))
        ):
            utf16 += _utf16_step(src[i])
            result.append(src[i])
            i += 1
        if i == len(src):
            raise cant_parse_entities(
                f"Can't find end of the entity starting at byte offset {begin}"
            )
        if offset != utf16:
            i, entity = _legacy_entity(
                src, char, begin, i, offset, utf16 - offset, is_pre, language
            )
            if entity:
                entities.append(entity)
        if is_pre:
            i += 2
        i += 1
    return FormattedText(_decoded(result), sort_entities(entities))


def _legacy_entity(
    src: _Src, char: int, begin: int, i: int, offset: int, length: int, is_pre: bool, lang: str
) -> tuple[int, Entity | None]:
    kind = _LEGACY_KINDS[char]
    if kind == "text_link":
        if src[i + 1] != ord("("):
            url = _decoded(src.data[begin + 1 : i])
        else:
            i += 2
            start = i
            while i < len(src) and src[i] != ord(")"):
                i += 1
            url = _decoded(src.data[start:i])
        return i, link_entity(offset, length, url)
    if kind == "code" and is_pre:
        entity: Entity = {"type": "pre", "offset": offset, "length": length}
        if lang:
            entity["language"] = lang
        return i, entity
    return i, {"type": kind, "offset": offset, "length": length}
