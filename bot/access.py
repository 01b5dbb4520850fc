"""Server-side role checks, made on every staff command and every button press.

Showing a menu only to staff is not protection: anyone can type a command or
forge a button's data. Each staff handler starts with one of these checks.
"""

from __future__ import annotations

from telegram import Update

from bot.context import NightSafeContext
from bot.store import roles
from bot.texts import t


async def is_partnership_staff(context: NightSafeContext, user_id: int) -> bool:
    async with context.services.sessions() as session:
        return await roles.is_partnership_staff(session, user_id)


async def require_partnership_staff(update: Update, context: NightSafeContext) -> bool:
    """True for partnership staff; anyone else is told kindly and nothing happens."""
    user = update.effective_user
    if user is not None and await is_partnership_staff(context, user.id):
        return True
    await refuse(update, context, "access.staff_only")
    return False


async def require_venue_staff(update: Update, context: NightSafeContext, venue_id: int) -> bool:
    """True for that venue's own staff (or partnership staff)."""
    user = update.effective_user
    if user is not None:
        async with context.services.sessions() as session:
            if await roles.is_venue_staff(session, user.id, venue_id) or (
                await roles.is_partnership_staff(session, user.id)
            ):
                return True
    await refuse(update, context, "access.venue_staff_only")
    return False


async def refuse(update: Update, context: NightSafeContext, key: str) -> None:
    text = t(key, context.language)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text)
