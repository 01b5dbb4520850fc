"""What the simulated Telegram knows: the bot, the chats and their messages (with edits,
deletions, pins and files), pending callback and inline queries, commands, webhook."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, bot_blocked, chat_not_found
from .files import FileStore, StoredFile
from .markup import inline_buttons
from .updates import UpdateQueue


@dataclass(frozen=True)
class BotIdentity:
    id: int
    first_name: str
    username: str

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict[str, Any]:
        return {
            **self.user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class ChatMessage:
    """One message in a chat as Telegram holds it; `api` is the Bot API Message object."""

    api: dict[str, Any]
    from_bot: bool
    file: StoredFile | None = None
    deleted: bool = False
    pinned: bool = False
    live_stopped: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def message_id(self) -> int:
        return int(self.api["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.api["chat"]["id"])

    @property
    def text(self) -> str | None:
        """The text, or the caption of a photo or document."""
        return self.api.get("text", self.api.get("caption"))

    @property
    def entities(self) -> list[dict[str, Any]]:
        return self.api.get("entities", self.api.get("caption_entities", []))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.api.get("reply_markup")

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels of the current inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    @property
    def callback_data(self) -> list[str]:
        buttons = inline_buttons(self.reply_markup)
        return [b["callback_data"] for b in buttons if "callback_data" in b]

    @property
    def location(self) -> dict[str, Any] | None:
        return self.api.get("location")

    @property
    def venue(self) -> dict[str, Any] | None:
        return self.api.get("venue")

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.file and "photo" in self.api else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.file and "document" in self.api else None

    @property
    def edited(self) -> bool:
        return "edit_date" in self.api

    def find_button(self, label_or_data: str) -> dict[str, Any] | None:
        for button in inline_buttons(self.reply_markup):
            if label_or_data in (button["text"], button.get("callback_data")):
                return button
        return None


@dataclass(frozen=True)
class ChatEvent:
    """Something the user saw happen: sent, edited, deleted, pinned, unpinned, answer."""

    kind: str
    message_id: int | None
    detail: str = ""


@dataclass
class ChatState:
    chat: dict[str, Any]
    user: dict[str, Any] | None = None
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    blocked: bool = False
    reply_keyboard: dict[str, Any] | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    def next_message_id(self) -> int:
        return next(self._ids)

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages.values() if m.from_bot]

    def visible(self) -> list[ChatMessage]:
        return [m for m in self.messages.values() if not m.deleted]


@dataclass
class CallbackQueryState:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    answer: dict[str, Any] | None = None


@dataclass
class InlineQueryState:
    id: str
    user_id: int
    query: str
    answer: dict[str, Any] | None = None


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


class TelegramState:
    def __init__(
        self,
        bot: BotIdentity,
        *,
        strict: bool,
        first_update_id: int,
        wall_clock: Callable[[], float] = time.time,
        on_poll: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.bot = bot
        self.strict = strict
        self.wall_clock = wall_clock
        self.chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self.queue = UpdateQueue(first_update_id, on_poll)
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.inline_queries: dict[str, InlineQueryState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: WebhookConfig | None = None
        self.closed = False
        self._query_ids = itertools.count(1)

    def now(self) -> int:
        return int(self.wall_clock())

    def new_query_id(self) -> str:
        return f"{self.bot.id}{next(self._query_ids):08d}"

    # --- chats --------------------------------------------------------------------------
    def add_private_chat(self, user: dict[str, Any]) -> ChatState:
        chat = self.chats.get(user["id"])
        if chat is None:
            info = {k: user[k] for k in ("first_name", "last_name", "username") if k in user}
            chat = ChatState(chat={"id": user["id"], **info, "type": "private"}, user=user)
            self.chats[chat.id] = chat
        return chat

    def chat(self, chat_id: Any) -> ChatState:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.chat.get("username", "").lower() == chat_id[1:].lower():
                    return chat
            raise chat_not_found()
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise chat_not_found()
        return self.chats[chat_id]

    def chat_for_bot(self, chat_id: Any) -> ChatState:
        """A chat the bot may write to: known, and not blocked by its user."""
        chat = self.chat(chat_id)
        if chat.blocked:
            raise bot_blocked()
        return chat

    # --- messages -----------------------------------------------------------------------
    def add_message(
        self,
        chat: ChatState,
        content: dict[str, Any],
        *,
        sender: dict[str, Any] | None = None,
        file: StoredFile | None = None,
    ) -> ChatMessage:
        """Store a new message; `sender` None means the bot sent it."""
        api = {
            "message_id": chat.next_message_id(),
            "from": sender or self.bot.user(),
            "date": self.now(),
            "chat": dict(chat.chat),
            **content,
        }
        message = ChatMessage(api=api, from_bot=sender is None, file=file)
        chat.messages[message.message_id] = message
        chat.events.append(ChatEvent("sent", message.message_id, message.text or ""))
        return message

    def edit_message(
        self, message: ChatMessage, changes: dict[str, Any], drop: tuple[str, ...] = ()
    ) -> None:
        message.versions.append(copy.deepcopy(message.api))
        for key in drop:
            message.api.pop(key, None)
        message.api.update(changes)
        message.api["edit_date"] = self.now()
        chat = self.chats[message.chat_id]
        chat.events.append(ChatEvent("edited", message.message_id, message.text or ""))

    def bot_message(self, chat: ChatState, message_id: Any, action: str = "edit") -> ChatMessage:
        """A message of this chat the bot can act on, or Telegram's 'not found' error."""
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        if action == "edit" and not message.from_bot:
            raise bad_request("message can't be edited")
        return message
