"""The typed context every handler receives: services and the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.services import Services
from bot.store.preferences import DEFAULT as DEFAULT_PREFERENCES
from bot.texts import language_for

if TYPE_CHECKING:
    from bot.conversation import ActiveConversation


class BotData:
    """Application-wide data: only the services, opened in post_init."""

    def __init__(self) -> None:
        self.services: Services | None = None


class NightSafeContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    __slots__ = ("conversation", "emergency_answered", "language", "preferences")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.language = "en"
        # The database-backed conversation this update belongs to (bot.conversation).
        self.conversation: ActiveConversation | None = None
        # Set when this update got the emergency guidance (bot.handlers.emergency).
        self.emergency_answered = False
        # The person's own choices (bot.handlers.preferences loads them first).
        self.preferences = DEFAULT_PREFERENCES

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> NightSafeContext:
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user:
            context.language = language_for(update.effective_user.language_code)
        return context

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are opened in post_init; the application is not running")
        return services


CONTEXT_TYPES = ContextTypes(context=NightSafeContext, bot_data=BotData)
