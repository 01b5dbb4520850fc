"""Telegram's HTML parse mode, following tdlib's parse_html byte for byte, so the same
input fails with the same description (byte offsets included)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import Entity, FormattedText, link_entity, sort_entities, utf16_len
from .errors import cant_parse_entities

ALLOWED_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACES = frozenset(b" \t\r\n\v\0")
_SPECIAL = re.compile(rb"[&<]")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    result_pos: int


class _Reader:
    """The input bytes with tdlib's NUL terminator: reading past the end gives 0."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < len(self.data) else 0

    def is_space(self, index: int) -> bool:
        return self[index] in _SPACES


def decode_html_entity(data: _Reader, pos: int) -> tuple[int, int]:
    """(code point, position after the entity), or (0, pos) when `&` starts no entity."""
    end = pos + 1
    code = 0
    if data[pos + 1] == ord("#"):
        end += 1
        if data[pos + 2] == ord("x"):
            end += 1
            while chr(data[end]) in "0123456789abcdefABCDEF" and data[end]:
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while ord("0") <= data[end] <= ord("9"):
                code = code * 10 + data[end] - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(data.data[pos + 1 : end])
        if named is None:
            return 0, pos
        code = ord(named)
    if data[end] == ord(";"):
        end += 1
    return code, end


def parse_html(text: str, *, strict_ampersand: bool = True) -> FormattedText:
    """Parse Telegram HTML; raise BotApiError with Telegram's description when it would."""
    return _HtmlParser(text, strict_ampersand).parse()


class _HtmlParser:
    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.src = _Reader(text.encode("utf-8"))
        self.strict_ampersand = strict_ampersand
        self.result = bytearray()
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.open_tags: list[_OpenTag] = []
        self.has_surrogates = False

    def parse(self) -> FormattedText:
        data = self.src.data
        i, size = 0, len(data)
        while i < size:
            # Plain text up to the next "&" or "<" is copied as it is, in one step.
            special = _SPECIAL.search(data, i)
            stop = size if special is None else special.start()
            if stop > i:
                run = data[i:stop]
                self.result += run
                self.utf16 += utf16_len(run.decode("utf-8"))
                i = stop
                continue
            byte = data[i]
            if byte == ord("&"):
                code, end = decode_html_entity(self.src, i)
                if code:
                    self._append_code_point(code)
                    i = end
                    continue
                if self.strict_ampersand:
                    # Stricter than Telegram, which shows a lone "&" as is: a bare "&" almost
                    # always means user text was not escaped, and "&lt;" in it would be eaten.
                    raise cant_parse_entities(
                        f'Character "&" at byte offset {i} must be escaped as "&amp;"'
                    )
            if byte != ord("<"):  # a lone "&", shown as it is
                self.utf16 += 1
                self.result.append(byte)
                i += 1
                continue
            i = self._end_tag(i) if self.src[i + 1] == ord("/") else self._start_tag(i)
        if self.open_tags:
            name = self.open_tags[-1].name
            raise cant_parse_entities(f'Can\'t find end tag corresponding to start tag "{name}"')
        return self._finish()

    def _append_code_point(self, code: int) -> None:
        self.utf16 += 2 if code > 0xFFFF else 1
        self.has_surrogates |= 0xD800 <= code <= 0xDFFF
        self.result += chr(code).encode("utf-8", "surrogatepass")

    def _start_tag(self, begin: int) -> int:
        src, i = self.src, begin + 1
        while not src.is_space(i) and src[i] != ord(">"):
            i += 1
        if src[i] == 0:
            raise cant_parse_entities(f"Unclosed start tag at byte offset {begin}")
        name = src.data[begin + 1 : i].decode("utf-8", "replace").lower()
        if name not in ALLOWED_TAGS:
            raise cant_parse_entities(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument = ""
        while src[i] != ord(">"):
            while src[i] != 0 and src.is_space(i):
                i += 1
            if src[i] == ord(">"):
                break
            i, argument = self._attribute(name, begin, i, argument)
        if name == "span" and argument != "spoiler":
            raise cant_parse_entities(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.open_tags.append(_OpenTag(name, argument, self.utf16, len(self.result)))
        return i + 1

    def _attribute(self, tag: str, begin: int, i: int, argument: str) -> tuple[int, str]:
        src = self.src
        name_begin = i
        while not src.is_space(i) and chr(src[i]) not in "=>/\"'":
            i += 1
        attribute = src.data[name_begin:i].decode("utf-8", "replace")
        if not attribute:
            raise cant_parse_entities(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while src[i] != 0 and src.is_space(i):
            i += 1
        if src[i] != ord("="):
            if src[i] == 0:
                raise cant_parse_entities(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and attribute == "expandable":
                argument = "1"
            return i, argument
        i += 1
        while src[i] != 0 and src.is_space(i):
            i += 1
        if src[i] == 0:
            raise cant_parse_entities(f'Unclosed start tag "{tag}" at byte offset {begin}')
        i, value = self._attribute_value(i)
        if src[i] == 0:
            raise cant_parse_entities(f"Unclosed start tag at byte offset {begin}")
        return i, _tag_argument(tag, attribute, value, argument)

    def _attribute_value(self, i: int) -> tuple[int, str]:
        src = self.src
        if chr(src[i]) not in "'\"":
            token_begin = i
            while chr(src[i]).isascii() and (chr(src[i]).isalnum() or chr(src[i]) in ".-"):
                i += 1
            if not src.is_space(i) and src[i] != ord(">"):
                raise cant_parse_entities(
                    f"Unexpected end of name token at byte offset {token_begin}"
                )
            return i, src.data[token_begin:i].decode("utf-8", "replace").lower()
        quote = src[i]
        i += 1
        value = bytearray()
        while src[i] != quote and src[i] != 0:
            if src[i] == ord("&"):
                code, end = decode_html_entity(src, i)
                if code:
                    value += chr(code).encode("utf-8", "surrogatepass")
                    i = end
                    continue
            value.append(src[i])
            i += 1
        if src[i] == quote:
            i += 1
        return i, value.decode("utf-8", "replace")

    def _end_tag(self, begin: int) -> int:
        src, i = self.src, begin + 1
        if not self.open_tags:
            raise cant_parse_entities(f"Unexpected end tag at byte offset {begin}")
        while not src.is_space(i) and src[i] != ord(">"):
            i += 1
        end_name = src.data[begin + 2 : i].decode("utf-8", "replace").lower()
        while src.is_space(i) and src[i] != 0:
            i += 1
        if src[i] != ord(">"):
            raise cant_parse_entities(f"Unclosed end tag at byte offset {begin}")
        tag = self.open_tags[-1]
        if end_name and end_name != tag.name:
            raise cant_parse_entities(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16 > tag.utf16_offset:
            self._add_entity(tag)
        self.open_tags.pop()
        return i + 1

    def _add_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.utf16 - tag.utf16_offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append(
                {"type": _SIMPLE_TAGS[tag.name], "offset": offset, "length": length}
            )
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise cant_parse_entities("Invalid custom emoji identifier specified")
            self.entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": tag.argument,
                }
            )
        elif tag.name == "a":
            url = tag.argument or self.result[tag.result_pos :].decode("utf-8", "replace")
            entity = link_entity(offset, length, url)
            if entity:
                self.entities.append(entity)
        elif tag.name == "pre":
            if same_span and last and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", "offset": offset, "length": length})
        elif tag.name == "code":
            if same_span and last and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
            else:
                entity = {"type": "code", "offset": offset, "length": length}
                if tag.argument:
                    entity["language"] = tag.argument
                self.entities.append(entity)
        else:  # blockquote
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, "offset": offset, "length": length})

    def _finish(self) -> FormattedText:
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        try:
            text = self.result.decode("utf-8")
        except UnicodeDecodeError:
            raise cant_parse_entities(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from None
        return FormattedText(text, sort_entities(self.entities))


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current
