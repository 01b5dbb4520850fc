"""A synthetic venue register and the places people ask from, for bench/updates.py.

Venues lie across Greater London, thickest in the West End and the other night-time
hotspots, with a partnership-like mixture of Safe Havens and accredited venues, late,
day-time, 24/7 and `off` hours, a few temporary closures and names that need HTML
escaping. They go into the database through venues.repository, as an import would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.locate import HOURS_MIX, MAX_LAT, MAX_LON, MIN_LAT, MIN_LON
from bot.db import create_engine, create_schema, create_session_factory
from venues import repository
from venues.model import Facility, Point, VenueStatus
from venues.repository import VenueDraft, VenueUpsert

WEST_END = [  # (latitude, longitude, spread in degrees)
    (51.5103, -0.1301, 0.0025),  # Leicester Square
    (51.5136, -0.1340, 0.0030),  # Soho
    (51.5117, -0.1233, 0.0025),  # Covent Garden
    (51.5090, -0.1470, 0.0030),  # Mayfair
    (51.5185, -0.1360, 0.0030),  # Fitzrovia
]
HOTSPOTS = [
    (51.5246, -0.0786, 0.006),  # Shoreditch
    (51.5390, -0.1426, 0.005),  # Camden
    (51.4613, -0.1156, 0.005),  # Brixton
    (51.4620, -0.1680, 0.005),  # Clapham
    (51.5450, -0.0553, 0.005),  # Dalston
    (51.5055, -0.0235, 0.004),  # Canary Wharf
    (51.4927, -0.2229, 0.005),  # Hammersmith
    (51.5154, -0.0922, 0.004),  # the City
    (51.5362, -0.1033, 0.004),  # Islington
    (51.3762, -0.0982, 0.005),  # Croydon
]
NAME_HEADS = ["The Crown", "The George", "Bar", "Club", "Café", "Hotel", "The Lamb", "Late"]
NAME_TAILS = ["& Anchor", "<Blue>", "O'Neill's", '"Night Owl"', "Soho_House", "*Star*", "Rose"]
STREETS = [
    "Charing Cross Road",
    "Old Compton Street",
    "Dean Street",
    "Wardour Street",
    "Shoreditch High Street",
    "Camden High Street",
    "Coldharbour Lane",
    "Upper Street",
]
SCHEMES = [("Safe Haven",), ("Women's Night Safety Charter",), ("Ask for Angela", "Best Bar None")]
LANGUAGES = [(), ("en",), ("en", "es"), ("en", "fr", "pl")]


@dataclass(frozen=True)
class Asker:
    """Where a location update comes from, and which of the area's parts that is."""

    point: Point
    area: str  # "west end", "hotspot", "anywhere"


def _around(rng: random.Random, spots: list[tuple[float, float, float]]) -> tuple[float, float]:
    lat, lon, spread = rng.choice(spots)
    return (
        min(MAX_LAT, max(MIN_LAT, rng.gauss(lat, spread))),
        min(MAX_LON, max(MIN_LON, rng.gauss(lon, spread * 1.6))),
    )


def _anywhere(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(MIN_LAT, MAX_LAT), rng.uniform(MIN_LON, MAX_LON)


def _venue_position(rng: random.Random) -> tuple[float, float]:
    roll = rng.random()
    if roll < 0.35:
        return _around(rng, WEST_END)
    if roll < 0.65:
        return _around(rng, HOTSPOTS)
    return _anywhere(rng)


def _status(rng: random.Random) -> VenueStatus:
    roll = rng.random()
    if roll < 0.92:
        return VenueStatus.ACTIVE
    return VenueStatus.PENDING if roll < 0.97 else VenueStatus.SUSPENDED


def venue_drafts(count: int, seed: int = 1) -> list[VenueDraft]:
    rng = random.Random(seed)
    weights = [weight for weight, _, _ in HOURS_MIX]
    drafts = []
    for number in range(1, count + 1):
        _, kind, template = rng.choices(HOURS_MIX, weights)[0]
        lat, lon = _venue_position(rng)
        drafts.append(
            VenueDraft(
                name=f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)} {number}",
                kind=kind,
                address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, London",
                postcode=f"W{rng.randint(1, 14)}{rng.choice('ABCDEFG')} {rng.randint(1, 9)}QU",
                latitude=lat,
                longitude=lon,
                opening_hours=template.format(m=rng.choice("0134"), h=rng.choice("1234")),
                phone=f"020 7{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                schemes=rng.choice(SCHEMES),
                facilities=frozenset(f for f in Facility if rng.random() < 0.45),
                languages=rng.choice(LANGUAGES),
                status=_status(rng),
            )
        )
    return drafts


async def seed_register(database_url: str, count: int, closed_at: datetime) -> int:
    """Create the schema and import `count` venues as one register change; a few are
    then closed by staff for some hours around `closed_at`. Returns the public count."""
    drafts = venue_drafts(count)
    engine = create_engine(database_url)
    try:
        await create_schema(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await repository.upsert_venues(session, [VenueUpsert(d) for d in drafts])
        rng = random.Random(3)
        async with sessions() as session, session.begin():
            for venue_id in rng.sample(range(1, count + 1), count // 50):
                until = closed_at + timedelta(hours=rng.uniform(1, 48))
                await repository.set_closed_until(session, venue_id, until)
        async with sessions() as session:
            return len(await repository.list_public_venues(session))
    finally:
        await engine.dispose()


def askers(count: int, seed: int = 2) -> list[Asker]:
    """Where people share their location from: mostly the West End and the hotspots,
    some anywhere in Greater London (where often nothing is open within the radius)."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            found.append(Asker(Point(*_around(rng, WEST_END)), "west end"))
        elif roll < 0.8:
            found.append(Asker(Point(*_around(rng, HOTSPOTS)), "hotspot"))
        else:
            found.append(Asker(Point(*_anywhere(rng)), "anywhere"))
    return found
