"""A person's own settings, and forgetting everything kept about them."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import SubscriberRow, UserSettingsRow
from bot.store import conversations


async def forget(session: AsyncSession, user_id: int) -> None:
    """Delete everything kept about a person (in a private chat, chat id = user id)."""
    await session.execute(delete(SubscriberRow).where(SubscriberRow.chat_id == user_id))
    await session.execute(delete(UserSettingsRow).where(UserSettingsRow.user_id == user_id))
    await conversations.forget_user(session, user_id)
