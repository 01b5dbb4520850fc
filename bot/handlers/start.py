"""/start and /help: what NightSafe does, and the main keyboard.

`/start venue_<id>` is the deep link printed on a venue's poster: it shows that
venue and whether its listing is current.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import commands, render
from bot.context import NightSafeContext
from bot.handlers.common import send
from bot.render import reports as reports_render
from bot.store import accreditations
from venues import repository
from venues.hours import OpenState, open_state
from venues.model import Venue, VenueStatus

_VENUE_ARGUMENT = re.compile(r"^venue_(\d{1,9})$")


async def on_start(update: Update, context: NightSafeContext) -> None:
    services = context.services
    argument = context.args[0] if context.args else ""
    match = _VENUE_ARGUMENT.match(argument)
    if match:
        await send(update, context, await venue_card_reply(context, int(match.group(1))))
        return
    await send(update, context, render.start(services.partnership.name, context.language))


async def venue_card_reply(context: NightSafeContext, venue_id: int) -> render.Reply:
    """A venue as the public sees it, and whether it is current: listed now, and with an
    accreditation that has not expired (expired schemes are left off the card)."""
    services = context.services
    now = services.now()
    today = now.astimezone(services.zone).date()
    async with services.sessions() as session:
        venue = await repository.get_venue(session, venue_id)
        expired = await accreditations.expired_schemes(session, venue_id, today) if venue else set()
    index = await services.catalogue.current()
    if venue is not None and expired:
        venue = replace(venue, schemes=tuple(s for s in venue.schemes if s not in expired))
    listed = venue is not None and index.get(venue.id) is not None
    # Every scheme it was listed for has lapsed (the daily job will unlist it).
    current = listed and not (expired and venue is not None and not venue.schemes)
    reply = render.venue_card(
        venue,
        listed=current,
        now=now,
        zone=services.zone,
        partnership_name=services.partnership.name,
        language=context.language,
        state=_state(venue, now, services.settings.timezone),
    )
    if venue is not None and venue.status in (VenueStatus.ACTIVE, VenueStatus.SUSPENDED):
        reply = reports_render.with_report_button(reply, venue.id, context.language)
    return reply


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
