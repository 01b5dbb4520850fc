"""/start and /help: what NightSafe does, and the main keyboard.

`/start venue_<id>` is the deep link printed on a venue's poster: it shows that
venue and whether its listing is current.
"""

from __future__ import annotations

import re
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import send
from venues import repository
from venues.hours import OpenState, open_state
from venues.model import Venue

_VENUE_ARGUMENT = re.compile(r"^venue_(\d{1,9})$")


async def on_start(update: Update, context: NightSafeContext) -> None:
    services = context.services
    argument = context.args[0] if context.args else ""
    match = _VENUE_ARGUMENT.match(argument)
    if match:
        async with services.sessions() as session:
            venue = await repository.get_venue(session, int(match.group(1)))
        index = await services.catalogue.current()
        now = services.now()
        reply = render.venue_card(
            venue,
            listed=venue is not None and index.get(venue.id) is not None,
            now=now,
            zone=services.zone,
            partnership_name=services.partnership.name,
            language=context.language,
            state=_state(venue, now, services.settings.timezone),
        )
        await send(update, context, reply)
        return
    await send(update, context, render.start(services.partnership.name, context.language))


def _state(venue: Venue | None, now: datetime, timezone: str) -> OpenState | None:
    if venue is None:
        return None
    return open_state(venue.opening_hours, now, timezone, venue.closed_until)


async def on_help(update: Update, context: NightSafeContext) -> None:
    reply = render.help_text(
        context.services.partnership.name,
        commands.commands_for(commands.Audience.PUBLIC),
        context.language,
    )
    await send(update, context, reply)


def handlers() -> list[BaseHandler[Update, NightSafeContext, None]]:
    return [
        CommandHandler(commands.START.name, on_start),
        CommandHandler(commands.HELP.name, on_help),
    ]
