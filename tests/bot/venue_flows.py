"""Shared steps of the venue tests: a whole /register chat, staff, and what they see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.local_api import SimulatedUser
from bot.local_api.state import ChatMessage
from bot.models import VenueApplicationRow
from bot.store import audit, roles
from bot.store.audit import AuditEntry
from tests.bot.nightsafe import NightSafe
from venues import repository
from venues.model import Venue, VenueKind, VenueStatus
from venues.repository import VenueDraft

STAFF = (9001, 9002)
ADMINS = ",".join(str(user_id) for user_id in STAFF)
# A name with every character that could break HTML or Markdown.
TRICKY_NAME = 'The <Crown> & "Anchor" _*'
SOHO_SQUARE = (51.5153, -0.1322)


@dataclass
class Registered:
    """What the applicant saw at the end, and the application the staff got."""

    submitted: ChatMessage
    application_id: int
    venue_id: int


async def answer(user: SimulatedUser, text: str) -> ChatMessage:
    await user.send_text(text)
    return await user.next_reply()


async def press(user: SimulatedUser, label: str) -> ChatMessage:
    await user.press(label)
    return await user.next_reply()


async def register(
    bot: NightSafe,
    user: SimulatedUser,
    *,
    name: str = TRICKY_NAME,
    hours_preset: str = "Fri and Sat 22:00–04:00",
) -> Registered:
    """A whole registration by the happy path, confirmed."""
    await user.send_command("/register")
    await user.next_reply()
    await answer(user, name)
    await user.send_text("Soho Square")
    await user.next_replies(2)  # the pin, then "is this it?"
    await press(user, "✅ Yes, that's it")
    await answer(user, "10 Soho Square, London w1d3qu")
    await press(user, "✅ Accredited venue")
    await user.press("Ask for Angela")
    await press(user, "Done ✔")
    await answer(user, "31/12/2026")
    await user.press("🚻 toilets")
    await press(user, "Done ✔")
    await user.press("Spanish")
    await press(user, "Done ✔")
    await press(user, hours_preset)
    await answer(user, "020 7946 0999")
    await answer(user, "Alex Smith")
    await answer(user, "Manager")
    submitted = await press(user, "✅ Confirm and send")
    async with bot.services.sessions() as session:
        row = await session.scalar(
            select(VenueApplicationRow).order_by(VenueApplicationRow.id.desc()).limit(1)
        )
    assert row is not None
    return Registered(submitted, row.id, row.venue_id)


async def venue(bot: NightSafe, venue_id: int) -> Venue:
    async with bot.services.sessions() as session:
        found = await repository.get_venue(session, venue_id)
    assert found is not None
    return found


async def audit_log(bot: NightSafe) -> list[AuditEntry]:
    async with bot.services.sessions() as session:
        return await audit.entries(session)


async def nearby_names(bot: NightSafe, user: SimulatedUser, point: tuple[float, float]) -> str:
    """The nearby answer's text for a shared location."""
    await user.send_location(*point)
    _, reply = await user.next_replies(2)
    return reply.text or ""


async def listed_venue(
    bot: NightSafe,
    staff_id: int | None = None,
    *,
    name: str = TRICKY_NAME,
    hours: str = "Fr,Sa 22:00-04:00",
    point: tuple[float, float] = SOHO_SQUARE,
    schemes: tuple[str, ...] = ("Ask for Angela",),
) -> int:
    """An approved, listed venue (and, if given, its member of staff), stored directly."""
    now = bot.services.now()
    async with bot.services.sessions() as session, session.begin():
        added = await repository.add_venue(
            session,
            VenueDraft(
                name=name,
                kind=VenueKind.ACCREDITED,
                address="10 Soho Square, London W1D 3QU",
                postcode="W1D 3QU",
                latitude=point[0],
                longitude=point[1],
                opening_hours=hours,
                phone="020 7946 0999",
                schemes=schemes,
                status=VenueStatus.ACTIVE,
            ),
        )
        if staff_id is not None:
            await roles.link_venue_staff(session, staff_id, added.id, None, now)
    await bot.services.catalogue.refresh()
    return added.id
