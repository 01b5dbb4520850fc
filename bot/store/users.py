"""A person's own settings, and forgetting everything kept about them."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import StaffRoleRow, SubscriberRow, UserSettingsRow
from bot.store import applications, conversations, outbox, reports
from bot.store.roles import Role


async def forget(session: AsyncSession, user_id: int) -> None:
    """Delete everything kept about a person (in a private chat, chat id = user id)."""
    await session.execute(delete(SubscriberRow).where(SubscriberRow.chat_id == user_id))
    await session.execute(delete(UserSettingsRow).where(UserSettingsRow.user_id == user_id))
    await conversations.forget_user(session, user_id)
    await outbox.forget_chat(session, user_id)  # alerts queued for (or sent to) them
    # Venue registration (issue 4): what applicants and reporters told us, and which
    # venues they are staff of (partnership roles stay: the partnership revokes those).
    await applications.forget_applicant(session, user_id)
    await reports.forget_reporter(session, user_id)
    await session.execute(
        delete(StaffRoleRow).where(
            StaffRoleRow.user_id == user_id, StaffRoleRow.role == Role.VENUE_STAFF
        )
    )
