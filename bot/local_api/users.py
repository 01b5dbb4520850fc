"""A simulated Telegram user: sends messages, commands, (live) locations, presses inline
buttons, asks inline queries, blocks the bot, and waits for the bot's replies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .entities import FormattedText, with_auto_entities
from .methods.common import snapshot, text_fields
from .state import CallbackQueryState, ChatMessage, InlineQueryState
from .transcript import Transcript

if TYPE_CHECKING:
    from .server import LocalBotApiServer


class SimulatedUser:
    def __init__(self, server: LocalBotApiServer, user: dict[str, Any]) -> None:
        self._server = server
        self._state = server.state
        self.user = user
        self.chat = self._state.add_private_chat(user)
        self._reply_cursor = 0
        self._live_message_id: int | None = None

    @property
    def id(self) -> int:
        return int(self.user["id"])

    # --- what the user does -------------------------------------------------------------
    async def send_text(self, text: str) -> ChatMessage:
        formatted = with_auto_entities(FormattedText(text))
        return await self._send(text_fields("text", formatted.text, formatted.entities))

    async def send_command(self, command: str, args: str = "") -> ChatMessage:
        text = command if command.startswith("/") else f"/{command}"
        return await self.send_text(f"{text} {args}" if args else text)

    async def send_location(
        self, latitude: float, longitude: float, live_period: int | None = None
    ) -> ChatMessage:
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period:
            location["live_period"] = live_period
        message = await self._send({"location": location})
        self._live_message_id = message.message_id if live_period else None
        return message

    async def move_live_location(self, latitude: float, longitude: float) -> ChatMessage:
        message = self._live_message()
        location = {**message.api["location"], "latitude": latitude, "longitude": longitude}
        return await self._edit_live(message, location)

    async def stop_live_location(self) -> ChatMessage:
        message = self._live_message()
        location = dict(message.api["location"])
        location.pop("live_period", None)
        message.live_stopped = True
        self._live_message_id = None
        return await self._edit_live(message, location)

    async def press(
        self, button: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> str:
        """Press an inline button and return the callback query id.

        `button` is a label or callback_data on the newest message showing it; `data`
        sends that data even if no button carries it (a forged press); `message_id`
        targets one message, even one the bot never sent (Telegram then gives the bot an
        inaccessible message, date 0)."""
        if button is None and data is None:
            raise ValueError("press(button) or press(data=...): say what is pressed")
        target = self._press_target(button, message_id)
        if button is not None:
            found = target.find_button(button) if target else None
            if found is None or "callback_data" not in found:
                raise LookupError(f"no inline button {button!r} to press in chat {self.id}")
            data = found["callback_data"]
        message = snapshot(target) if target else self._inaccessible(message_id)
        query_id = self._state.new_query_id()
        self._state.callback_queries[query_id] = CallbackQueryState(
            query_id, self.id, self.id, int(message["message_id"]), data
        )
        payload = {
            "id": query_id,
            "from": self.user,
            "chat_instance": f"{self.id}{self._state.bot.id}",
            "message": message,
        }
        if data is not None:
            payload["data"] = data
        await self._server.push_update("callback_query", payload)
        return query_id

    async def inline_query(
        self, query: str, location: tuple[float, float] | None = None, offset: str = ""
    ) -> str:
        query_id = self._state.new_query_id()
        self._state.inline_queries[query_id] = InlineQueryState(query_id, self.id, query)
        payload: dict[str, Any] = {
            "id": query_id,
            "from": self.user,
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
        if location is not None:
            payload["location"] = {"latitude": location[0], "longitude": location[1]}
        await self._server.push_update("inline_query", payload)
        return query_id

    async def block_bot(self) -> None:
        self.chat.blocked = True
        await self._member_update("member", "kicked")

    async def unblock_bot(self) -> None:
        self.chat.blocked = False
        await self._member_update("kicked", "member")

    # --- what the user sees -------------------------------------------------------------
    @property
    def replies(self) -> list[ChatMessage]:
        """Every message the bot sent to this chat, oldest first."""
        return self.chat.bot_messages()

    async def next_reply(self, timeout: float = 5.0) -> ChatMessage:  # noqa: ASYNC109
        """The bot's next message to this chat not yet returned by next_reply()."""
        return (await self.next_replies(1, timeout))[0]

    async def next_replies(self, count: int, timeout: float = 5.0) -> list[ChatMessage]:  # noqa: ASYNC109
        start = self._reply_cursor
        await self._server.calls.wait_until(lambda: len(self.replies) >= start + count, timeout)
        self._reply_cursor = start + count
        return self.replies[start : start + count]

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait for the bot's answerCallbackQuery to `query_id`."""
        query = self._state.callback_queries[query_id]
        return await self._server.calls.wait_until(lambda: query.answer, timeout)

    async def inline_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait for the bot's answerInlineQuery to `query_id`."""
        query = self._state.inline_queries[query_id]
        return await self._server.calls.wait_until(lambda: query.answer, timeout)

    def transcript(self) -> Transcript:
        return self._server.transcript(self.id)

    # --- helpers ------------------------------------------------------------------------
    async def _send(self, content: dict[str, Any]) -> ChatMessage:
        if self.chat.blocked:
            await self.unblock_bot()
        message = self._state.add_message(self.chat, content, sender=self.user)
        await self._server.push_update("message", snapshot(message))
        return message

    def _live_message(self) -> ChatMessage:
        message = self.chat.messages.get(self._live_message_id or 0)
        if message is None:
            raise LookupError("share a live location (send_location(..., live_period=…)) first")
        return message

    async def _edit_live(self, message: ChatMessage, location: dict[str, Any]) -> ChatMessage:
        self._state.edit_message(message, {"location": location})
        await self._server.push_update("edited_message", snapshot(message))
        return message

    def _press_target(self, button: str | None, message_id: int | None) -> ChatMessage | None:
        if message_id is not None:
            message = self.chat.messages.get(message_id)
            return message if message and message.from_bot and not message.deleted else None
        candidates = [m for m in reversed(self.chat.visible()) if m.from_bot and m.buttons]
        if button is not None:
            for message in candidates:
                if message.find_button(button):
                    return message
        return candidates[0] if candidates else None

    def _inaccessible(self, message_id: int | None) -> dict[str, Any]:
        return {"chat": dict(self.chat.chat), "message_id": message_id or 0, "date": 0}

    async def _member_update(self, old: str, new: str) -> None:
        bot = self._state.bot.user()
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": dict(self.chat.chat),
            "from": self.user,
            "date": self._state.now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        await self._server.push_update("my_chat_member", payload)
