"""What the demo terminal shows of the chat: the bot's messages as text, inline
buttons numbered (pressed by number), reply-keyboard buttons lettered, venue pins
as name + coordinates, files as their size, and the toasts and alerts of presses."""

from __future__ import annotations

from dataclasses import dataclass, field
from string import ascii_lowercase
from typing import Any

from bot.local_api import ChatEvent, ChatMessage

INDENT = "   "


@dataclass(frozen=True, slots=True)
class BoardButton:
    """An inline button as the terminal lists it: pressed by its number."""

    message_id: int
    label: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class KeyButton:
    """A reply-keyboard button: pressing it sends its label (or asks for a location)."""

    label: str
    requests_location: bool = False


@dataclass
class ChatView:
    """Turns the chat's events into terminal lines, once each, in order."""

    bot_name: str = "NightSafe"
    board: list[BoardButton] = field(default_factory=list)
    keys: list[KeyButton] = field(default_factory=list)
    _cursor: int = 0
    _shown_versions: dict[int, int] = field(default_factory=dict)
    _board_is_fresh: bool = False
    _keyboard: dict[str, Any] | None = None

    def user_acted(self) -> None:
        """The next keyboard shown starts a new numbering (the old one stays until then)."""
        self._board_is_fresh = False

    def render_new(
        self,
        events: list[ChatEvent],
        messages: dict[int, ChatMessage],
        keyboard: dict[str, Any] | None,
    ) -> list[str]:
        lines: list[str] = []
        for event in events[self._cursor :]:
            lines.extend(self._render_event(event, messages.get(event.message_id or 0)))
        self._cursor = len(events)
        if keyboard != self._keyboard:
            self._keyboard = keyboard
            self.keys = keyboard_buttons(keyboard)
            lines.extend(render_keys(self.keys))
        return lines

    def has_news(self, events: list[ChatEvent], keyboard: dict[str, Any] | None) -> bool:
        return len(events) > self._cursor or keyboard != self._keyboard

    def button(self, number: int) -> BoardButton | None:
        return self.board[number - 1] if 0 < number <= len(self.board) else None

    def key(self, letter: str) -> KeyButton | None:
        index = ascii_lowercase.find(letter)
        return self.keys[index] if 0 <= index < len(self.keys) else None

    def _render_event(self, event: ChatEvent, message: ChatMessage | None) -> list[str]:
        if event.kind in ("toast", "alert"):
            if not event.detail:
                return []
            marker = "⚠️  alert" if event.kind == "alert" else "💬"
            return [f"{INDENT}{marker}: {event.detail}"]
        if message is None or not message.from_bot:
            return []
        if event.kind in ("sent", "edited"):
            return self._render_current(message, edited=event.kind == "edited")
        if event.kind == "deleted":
            return [f"{INDENT}(the bot deleted: {_first_line(message)})"]
        if event.kind in ("pinned", "unpinned"):
            return [f"{INDENT}📌 {event.kind}: {_first_line(message)}"]
        return []

    def _render_current(self, message: ChatMessage, *, edited: bool) -> list[str]:
        """The message as it is now; a later edit already shown is not shown twice."""
        version = len(message.versions)
        if self._shown_versions.get(message.message_id) == version or message.deleted:
            return []
        self._shown_versions[message.message_id] = version
        first = len(self.board) + 1 if self._board_is_fresh else 1
        buttons = board_buttons(message)
        if buttons:
            self.board = [*self.board, *buttons] if self._board_is_fresh else buttons
            self._board_is_fresh = True
        header = f"{self.bot_name}{' (edited)' if edited else ''}:"
        return [header, *render_message(message, first_number=first)]


def board_buttons(message: ChatMessage) -> list[BoardButton]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [
        BoardButton(message.message_id, b["text"], b.get("callback_data"), b.get("url"))
        for row in rows
        for b in row
    ]


def render_message(message: ChatMessage, *, first_number: int = 1) -> list[str]:
    """The message's content, then its inline buttons numbered from `first_number`."""
    lines = [f"{INDENT}{line}".rstrip() for line in content_lines(message)]
    number = first_number
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        cells = []
        for button in row:
            link = " ↗" if "url" in button else ""
            cells.append(f"[{number}] {button['text']}{link}")
            number += 1
        lines.append(INDENT + "   ".join(cells))
    return lines


def content_lines(message: ChatMessage) -> list[str]:
    api = message.api
    if "venue" in api:
        venue = api["venue"]
        return [
            f"📍 {venue['title']} — {venue['address']}",
            f"   at {_point(venue['location'])}",
        ]
    if "location" in api:
        return [f"📍 location {_point(api['location'])}"]
    caption = (message.text or "").splitlines()
    if "photo" in api:
        return [f"[photo: {api['photo'][-1].get('file_size', 0)} bytes]", *caption]
    if "document" in api:
        document = api["document"]
        name = document.get("file_name", "document")
        return [f"[document {name}: {document.get('file_size', 0)} bytes]", *caption]
    return (message.text or "").splitlines() or [""]


def keyboard_buttons(keyboard: dict[str, Any] | None) -> list[KeyButton]:
    rows = (keyboard or {}).get("keyboard", [])
    keys = []
    for row in rows:
        for button in row:
            if isinstance(button, str):
                keys.append(KeyButton(button))
            else:
                keys.append(KeyButton(button["text"], bool(button.get("request_location"))))
    return keys[: len(ascii_lowercase)]


def render_keys(keys: list[KeyButton]) -> list[str]:
    if not keys:
        return [f"{INDENT}(keyboard removed)"]
    lettered = list(zip(ascii_lowercase, keys, strict=False))
    cells = [f"[{letter}] {key.label}" for letter, key in lettered]
    lines = [f"{INDENT}keyboard: {'   '.join(cells)}"]
    lines.extend(
        f"{INDENT}({letter} shares a location: type /loc PLACE or /loc LAT LON)"
        for letter, key in lettered
        if key.requests_location
    )
    return lines


def _point(location: dict[str, Any]) -> str:
    return f"{location['latitude']:.5f}, {location['longitude']:.5f}"


def _first_line(message: ChatMessage) -> str:
    return content_lines(message)[0]
