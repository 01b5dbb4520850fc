"""What the user of a chat would see: the messages still there (as last edited, with
their current inline keyboards, photos, pins) and the events that led to them."""

from __future__ import annotations

from dataclasses import dataclass

from .state import ChatEvent, ChatMessage


@dataclass(frozen=True)
class Transcript:
    chat_id: int
    messages: list[ChatMessage]
    events: list[ChatEvent]

    def texts(self, *, bot_only: bool = False) -> list[str]:
        return [m.text or "" for m in self.messages if m.from_bot or not bot_only]

    def answers(self) -> list[str]:
        """Texts of the callback answers (toasts and alerts) the user was shown."""
        return [e.detail for e in self.events if e.kind in ("toast", "alert")]

    def render(self) -> str:
        lines: list[str] = []
        for message in self.messages:
            lines.extend(render_message(message))
        return "\n".join(lines)


def render_message(message: ChatMessage) -> list[str]:
    who = "bot " if message.from_bot else "user"
    flags = "".join(
        f" ({flag})" for flag, on in (("edited", message.edited), ("pinned", message.pinned)) if on
    )
    lines = [f"{who} #{message.message_id}{flags}: {_content(message)}"]
    for row in message.buttons:
        lines.append("      " + " ".join(f"[{label}]" for label in row))
    return lines


def _content(message: ChatMessage) -> str:
    api = message.api
    if "venue" in api:
        venue = api["venue"]
        return f"📍 {venue['title']} — {venue['address']} {_point(venue['location'])}"
    if "location" in api:
        location = api["location"]
        live = " (live)" if "live_period" in location and not message.live_stopped else ""
        return f"📍 {_point(location)}{live}"
    if "photo" in api:
        size = api["photo"][-1]
        caption = f": {api['caption']}" if api.get("caption") else ""
        return f"🖼 photo {size['width']}x{size['height']} ({size['file_size']} bytes){caption}"
    if "document" in api:
        document = api["document"]
        caption = f": {api['caption']}" if api.get("caption") else ""
        return (
            f"📄 {document.get('file_name', 'document')} ({document['file_size']} bytes){caption}"
        )
    return message.text or ""


def _point(location: dict[str, float]) -> str:
    return f"{location['latitude']:.5f}, {location['longitude']:.5f}"
