"""The daily accreditation check: reminders before an accreditation ends, and what
happens when it has ended.

Reminders go to the venue's staff 30 and 7 days before (NIGHTSAFE_EXPIRY_REMINDER_DAYS),
each once. The day after an accreditation's last day, its scheme is taken off the
venue's card; a venue with no current accreditation left is taken off the public
list; its staff and the partnership are told, once. Each reminder and expiry is
claimed in the database before anyone is told, so replicas running the same job
never send twice.

`check_accreditations` is a plain function (tests call it with a frozen clock);
`schedule` runs it every day at the deployment's local time — and just after
local midnight without reminders, so an expired accreditation stops showing
from the first minute of the day after its last.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.ext import Application

from bot import notify
from bot.context import NightSafeContext
from bot.render import Reply
from bot.services import Services
from bot.settings import Settings
from bot.store import accreditations, audit, roles, suspensions
from bot.store.accreditations import Accreditation, DueReminder
from bot.texts import join, t
from bot.venue_input import shown_date
from venues import repository
from venues.model import VenueStatus

logger = logging.getLogger(__name__)

# The audit log's actor for what the bot does on its own (no Telegram user has id 0).
SYSTEM_ACTOR = 0
JOB_NAME = "accreditation-expiry"
MIDNIGHT_JOB_NAME = "accreditation-expiry-midnight"
JUST_AFTER_MIDNIGHT = time(0, 1)


@dataclass(frozen=True, slots=True)
class ExpiryRun:
    reminders: int = 0  # reminders claimed and sent (to however many staff)
    expired: int = 0  # accreditations handled as expired
    unlisted: int = 0  # venues taken off the public list


async def check_accreditations(
    bot: Bot, services: Services, *, reminders: bool = True
) -> ExpiryRun:
    """Send the reminders due today and handle accreditations that have ended."""
    today = services.now().astimezone(services.zone).date()
    sent = await _send_reminders(bot, services, today) if reminders else 0
    expired, unlisted = await _expire(bot, services, today)
    if expired:
        await services.catalogue.refresh()
    run = ExpiryRun(reminders=sent, expired=expired, unlisted=unlisted)
    logger.info("accreditation check: %s", run)
    return run


async def _send_reminders(bot: Bot, services: Services, today: date) -> int:
    levels = services.settings.expiry_reminder_days
    async with services.sessions() as session:
        due = await accreditations.due_reminders(session, today, levels)
    sent = 0
    for reminder in due:
        async with services.sessions() as session, session.begin():
            if not await accreditations.claim_reminder(session, reminder, levels, services.now()):
                continue
            venue = await repository.get_venue(session, reminder.accreditation.venue_id)
            staff = await roles.staff_of_venue(session, reminder.accreditation.venue_id)
        if venue is None or venue.status is VenueStatus.REJECTED:
            continue
        await notify.tell_all(bot, staff, _reminder(reminder, venue.name, services))
        sent += 1
    return sent


def _reminder(reminder: DueReminder, venue_name: str, services: Services) -> Reply:
    accreditation = reminder.accreditation
    assert accreditation.expires_on is not None
    return Reply(
        t(
            "expiry.reminder",
            None,
            scheme=accreditation.scheme,
            name=venue_name,
            date=shown_date(accreditation.expires_on),
            days=reminder.days_left,
            partnership=services.partnership.name,
        )
    )


async def _expire(bot: Bot, services: Services, today: date) -> tuple[int, int]:
    async with services.sessions() as session:
        due = await accreditations.due_expiries(session, today)
    expired = unlisted = 0
    for accreditation in due:
        outcome = await _expire_one(services, accreditation)
        if outcome is None:
            continue
        venue_name, venue_id, was_unlisted, venue_staff, partnership_staff = outcome
        expired += 1
        unlisted += was_unlisted
        await _tell_expired(
            bot,
            services,
            accreditation,
            venue_name,
            venue_id,
            was_unlisted,
            venue_staff,
            partnership_staff,
        )
    return expired, unlisted


async def _expire_one(
    services: Services, accreditation: Accreditation
) -> tuple[str, int, bool, list[int], list[int]] | None:
    """Claim one expiry and take the scheme off the venue (and the venue off the list if
    nothing current is left); None when another run claimed it first."""
    now = services.now()
    async with services.sessions() as session, session.begin():
        if not await accreditations.claim_expiry(session, accreditation.id, now):
            return None
        venue = await repository.get_venue(session, accreditation.venue_id)
        if venue is None:
            return None
        schemes = [scheme for scheme in venue.schemes if scheme != accreditation.scheme]
        await repository.set_schemes(session, venue.id, schemes)
        unlisted = not schemes and await suspensions.suspend(
            session, venue.id, suspensions.Reason.EXPIRED, None, now
        )
        await audit.record(
            session,
            actor_id=SYSTEM_ACTOR,
            action="accreditation_expired",
            target_type="venue",
            target_id=venue.id,
            at=now,
            detail={"scheme": accreditation.scheme, "unlisted": unlisted},
        )
        venue_staff = await roles.staff_of_venue(session, venue.id)
        partnership_staff = await roles.partnership_staff(session)
    return venue.name, venue.id, unlisted, venue_staff, partnership_staff


async def _tell_expired(
    bot: Bot,
    services: Services,
    accreditation: Accreditation,
    venue_name: str,
    venue_id: int,
    unlisted: bool,
    venue_staff: list[int],
    partnership_staff: list[int],
) -> None:
    assert accreditation.expires_on is not None
    values = {
        "scheme": accreditation.scheme,
        "name": venue_name,
        "venue": venue_id,
        "date": shown_date(accreditation.expires_on),
        "partnership": services.partnership.name,
    }
    to_staff = [t("expiry.expired_staff", None, **values)]
    to_partnership = [t("expiry.expired_partnership", None, **values)]
    if unlisted:
        to_staff.append(t("expiry.unlisted_staff", None, **values))
        to_partnership.append(t("expiry.unlisted_partnership", None, **values))
    await notify.tell_all(bot, venue_staff, Reply(join(to_staff, "\n\n")))
    await notify.tell_all(bot, partnership_staff, Reply(join(to_partnership, "\n\n")))


# --- the daily jobs ------------------------------------------------------------------------


async def _daily(context: NightSafeContext) -> None:
    await check_accreditations(context.bot, context.services)


async def _midnight(context: NightSafeContext) -> None:
    await check_accreditations(context.bot, context.services, reminders=False)


def schedule(application: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    """Run the check every day at NIGHTSAFE_EXPIRY_CHECK_TIME and just after midnight,
    in the deployment's local time (so it follows the clocks changing)."""
    if application.job_queue is None:
        return
    zone = ZoneInfo(settings.timezone)
    at = settings.expiry_check_time.replace(tzinfo=zone)
    application.job_queue.run_daily(_daily, time=at, name=JOB_NAME)
    application.job_queue.run_daily(
        _midnight, time=JUST_AFTER_MIDNIGHT.replace(tzinfo=zone), name=MIDNIGHT_JOB_NAME
    )
