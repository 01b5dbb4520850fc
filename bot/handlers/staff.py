"""Partnership staff: /grant and /revoke the staff role, /stats usage figures.

Every command checks the role on the server side and is written to the audit log.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import commands, render
from bot.access import require_partnership_staff
from bot.context import NightSafeContext
from bot.handlers.common import send
from bot.store import audit, roles, stats
from bot.texts import t

_USER_ID = re.compile(r"^\d{1,15}$")


def _target(context: NightSafeContext) -> int | None:
    args = context.args or []
    if len(args) != 1 or not _USER_ID.match(args[0]):
        return None
    return int(args[0])


async def on_grant(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    target = _target(context)
    language = context.language
    if target is None:
        await send(update, context, render.Reply(t("staff.grant_usage", language)))
        return
    services = context.services
    now = services.now()
    async with services.sessions() as session, session.begin():
        granted = await roles.grant_partnership(session, target, update.effective_user.id, now)
        if granted:
            await audit.record(
                session,
                actor_id=update.effective_user.id,
                action="grant",
                target_type="user",
                target_id=target,
                at=now,
            )
    key = "staff.granted" if granted else "staff.already_staff"
    await send(update, context, render.Reply(t(key, language, user_id=target)))


async def on_revoke(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    target = _target(context)
    language = context.language
    if target is None:
        await send(update, context, render.Reply(t("staff.revoke_usage", language)))
        return
    if target == update.effective_user.id:
        await send(update, context, render.Reply(t("staff.cannot_revoke_self", language)))
        return
    services = context.services
    now = services.now()
    async with services.sessions() as session, session.begin():
        revoked = await roles.revoke_partnership(session, target, now)
        if revoked:
            await audit.record(
                session,
                actor_id=update.effective_user.id,
                action="revoke",
                target_type="user",
                target_id=target,
                at=now,
            )
    key = "staff.revoked" if revoked else "staff.not_staff"
    await send(update, context, render.Reply(t(key, language, user_id=target)))


async def on_stats(update: Update, context: NightSafeContext) -> None:
    if not await require_partnership_staff(update, context):
        return
    services = context.services
    async with services.sessions() as session:
        figures = await stats.figures(session, services.now())
    await send(update, context, render.usage_figures(figures, context.language))


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.GRANT.name, on_grant),
        CommandHandler(commands.REVOKE.name, on_revoke),
        CommandHandler(commands.STATS.name, on_stats),
    ]
