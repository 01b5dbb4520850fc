"""The venue register on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.db import SessionFactory
from venues import repository
from venues.hours import HoursError
from venues.model import Facility, Venue, VenueKind, VenueStatus
from venues.repository import VenueDraft, VenueNotFoundError, VenueUpsert

LONDON = ZoneInfo("Europe/London")
CROWN = VenueDraft(
    name="The Crown",
    kind=VenueKind.ACCREDITED,
    address="1 High St",
    postcode="W1D 3QU",
    latitude=51.5113,
    longitude=-0.1318,
    opening_hours="Mo-Su 18:00-02:00",
    phone="020 7946 0000",
    schemes=("Ask for Angela", "WNSC"),
    facilities=frozenset({Facility.TOILETS, Facility.CCTV}),
    languages=("English", "Polish"),
)
HAVEN = VenueDraft(
    name="St Anne's",
    kind=VenueKind.SAFE_HAVEN,
    address="55 Dean St",
    postcode="W1D 6AF",
    latitude=51.5133,
    longitude=-0.1325,
    opening_hours="Fr,Sa 22:00-04:00",
    status=VenueStatus.ACTIVE,
)


async def add(sessions: SessionFactory, draft: VenueDraft, **kwargs: int) -> Venue:
    async with sessions() as session, session.begin():
        return await repository.add_venue(session, draft, **kwargs)


async def version(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return await repository.register_version(session)


async def stored(sessions: SessionFactory) -> list[Venue]:
    async with sessions() as session:
        return await repository.list_venues(session)


def details(venue: Venue) -> tuple[object, ...]:
    """A venue without the register's clock, to compare what was stored."""
    return replace(venue, created_at=None, updated_at=None), venue.id


async def test_add_venue_stores_every_detail_and_is_pending_by_default(
    sessions: SessionFactory,
) -> None:
    added = await add(sessions, CROWN)
    async with sessions() as session:
        fetched = await repository.get_venue(session, added.id)
    assert fetched == added
    assert fetched == Venue(
        id=added.id,
        name="The Crown",
        kind=VenueKind.ACCREDITED,
        address="1 High St",
        postcode="W1D 3QU",
        latitude=51.5113,
        longitude=-0.1318,
        opening_hours="Mo-Su 18:00-02:00",
        phone="020 7946 0000",
        schemes=("Ask for Angela", "WNSC"),
        facilities=frozenset({Facility.TOILETS, Facility.CCTV}),
        languages=("English", "Polish"),
        status=VenueStatus.PENDING,
        created_at=added.created_at,
        updated_at=added.updated_at,
    )
    assert added.created_at is not None
    assert added.created_at.tzinfo is not None


async def test_get_venue_of_an_unknown_id_is_none(sessions: SessionFactory) -> None:
    async with sessions() as session:
        assert await repository.get_venue(session, 404) is None


async def test_list_public_venues_shows_only_active_ones(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    haven = await add(sessions, HAVEN)
    suspended = await add(sessions, replace(HAVEN, name="Gone", status=VenueStatus.SUSPENDED))
    async with sessions() as session:
        public = await repository.list_public_venues(session)
        every = await repository.list_venues(session)
        pending = await repository.list_venues(session, VenueStatus.PENDING)
    assert [venue.id for venue in public] == [haven.id]
    assert [venue.id for venue in every] == [crown.id, haven.id, suspended.id]
    assert [venue.id for venue in pending] == [crown.id]


async def test_set_status_publishes_a_pending_venue(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    async with sessions() as session, session.begin():
        approved = await repository.set_status(session, crown.id, VenueStatus.ACTIVE)
    async with sessions() as session:
        public = await repository.list_public_venues(session)
    assert approved.status is VenueStatus.ACTIVE
    assert public == [approved]


async def test_set_closed_until_keeps_the_instant_and_clears(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    until = datetime(2024, 6, 8, 20, 30, tzinfo=UTC)
    async with sessions() as session, session.begin():
        await repository.set_closed_until(session, crown.id, until.astimezone(LONDON))
    async with sessions() as session:
        closed = await repository.get_venue(session, crown.id)
    assert closed is not None
    assert closed.closed_until == until
    assert closed.closed_until.tzinfo is not None
    async with sessions() as session, session.begin():
        reopened = await repository.set_closed_until(session, crown.id, None)
    assert reopened.closed_until is None


async def test_set_closed_until_refuses_a_naive_instant(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError, match="aware"):
            await repository.set_closed_until(session, crown.id, datetime(2024, 6, 8, 21, 30))


async def test_update_hours_stores_good_hours_and_refuses_bad(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    async with sessions() as session, session.begin():
        updated = await repository.update_hours(session, crown.id, " Fr,Sa 20:00-03:00 ")
    assert updated.opening_hours == "Fr,Sa 20:00-03:00"
    before = await version(sessions)
    with pytest.raises(HoursError, match="Failed to parse expression"):
        async with sessions() as session, session.begin():
            await repository.update_hours(session, crown.id, "Fr-Sx 20:00")
    assert [venue.opening_hours for venue in await stored(sessions)] == ["Fr,Sa 20:00-03:00"]
    assert await version(sessions) == before


async def test_update_venue_replaces_details_and_keeps_status(sessions: SessionFactory) -> None:
    crown = await add(sessions, replace(CROWN, status=VenueStatus.SUSPENDED))
    async with sessions() as session, session.begin():
        await repository.update_venue(session, crown.id, replace(HAVEN, status=None))
    (venue,) = await stored(sessions)
    assert (venue.id, venue.name, venue.status) == (crown.id, "St Anne's", VenueStatus.SUSPENDED)
    assert (venue.phone, venue.facilities, venue.schemes) == (None, frozenset(), ())


async def test_changes_to_an_unknown_venue_raise_not_found(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        with pytest.raises(VenueNotFoundError, match="no venue with id 404"):
            await repository.set_status(session, 404, VenueStatus.ACTIVE)
        with pytest.raises(VenueNotFoundError):
            await repository.update_venue(session, 404, CROWN)
        assert await repository.delete_venue(session, 404) is False
    assert await version(sessions) == 0


async def test_delete_venue_removes_it(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    haven = await add(sessions, HAVEN)
    async with sessions() as session, session.begin():
        assert await repository.delete_venue(session, crown.id) is True
    assert [venue.id for venue in await stored(sessions)] == [haven.id]


async def test_register_version_bumps_once_on_every_change(sessions: SessionFactory) -> None:
    assert await version(sessions) == 0
    crown = await add(sessions, CROWN)
    seen = [await version(sessions)]
    changes = [
        lambda s: repository.set_status(s, crown.id, VenueStatus.ACTIVE),
        lambda s: repository.set_closed_until(s, crown.id, datetime(2030, 1, 1, tzinfo=UTC)),
        lambda s: repository.update_hours(s, crown.id, "24/7"),
        lambda s: repository.update_venue(s, crown.id, HAVEN),
        lambda s: repository.upsert_venues(s, [VenueUpsert(CROWN)]),
        lambda s: repository.delete_venue(s, crown.id),
    ]
    for change in changes:
        async with sessions() as session, session.begin():
            await change(session)
        seen.append(await version(sessions))
    assert seen == [1, 2, 3, 4, 5, 6, 7]


async def add_then_fail(sessions: SessionFactory, draft: VenueDraft) -> None:
    async with sessions() as session, session.begin():
        await repository.add_venue(session, draft)
        raise RuntimeError("the use case failed after the change")


async def test_register_version_rolls_back_with_the_change(sessions: SessionFactory) -> None:
    await add(sessions, CROWN)
    with pytest.raises(RuntimeError):
        await add_then_fail(sessions, HAVEN)
    assert await version(sessions) == 1
    assert [venue.name for venue in await stored(sessions)] == ["The Crown"]


async def test_upsert_venues_updates_by_identity_and_creates_the_rest(
    sessions: SessionFactory,
) -> None:
    crown = await add(sessions, replace(CROWN, status=VenueStatus.SUSPENDED))
    renamed = replace(CROWN, name="the  CROWN!", opening_hours="24/7", status=None)
    async with sessions() as session, session.begin():
        counts = await repository.upsert_venues(
            session, [VenueUpsert(renamed), VenueUpsert(replace(HAVEN, status=None))]
        )
    assert (counts.created, counts.updated) == (1, 1)
    first, second = await stored(sessions)
    assert (first.id, first.name, first.opening_hours) == (crown.id, "the  CROWN!", "24/7")
    # An update keeps the stored status; a new venue without one is active.
    assert (first.status, second.status) == (VenueStatus.SUSPENDED, VenueStatus.ACTIVE)


async def test_upsert_venues_by_id_updates_or_creates_with_that_id(
    sessions: SessionFactory,
) -> None:
    crown = await add(sessions, CROWN)
    async with sessions() as session, session.begin():
        counts = await repository.upsert_venues(
            session,
            [VenueUpsert(HAVEN, venue_id=crown.id), VenueUpsert(CROWN, venue_id=40)],
        )
    assert (counts.created, counts.updated) == (1, 1)
    assert [(venue.id, venue.name) for venue in await stored(sessions)] == [
        (crown.id, "St Anne's"),
        (40, "The Crown"),
    ]


async def test_explicit_ids_move_the_id_sequence_past_them(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        await repository.upsert_venues(
            session,
            [
                VenueUpsert(CROWN, venue_id=1),
                VenueUpsert(HAVEN, venue_id=2),
                VenueUpsert(replace(HAVEN, name="Third")),
            ],
        )
    added = await add(sessions, replace(CROWN, name="Fourth"))
    explicit = await add(sessions, replace(CROWN, name="Tenth"), venue_id=10)
    after = await add(sessions, replace(CROWN, name="Eleventh"))
    names = [(venue.id, venue.name) for venue in await stored(sessions)]
    assert names == [
        (1, "The Crown"),
        (2, "St Anne's"),
        (3, "Third"),
        (added.id, "Fourth"),
        (10, "Tenth"),
        (11, "Eleventh"),
    ]
    assert (added.id, explicit.id, after.id) == (4, 10, 11)


async def test_upsert_venues_is_all_or_nothing(sessions: SessionFactory) -> None:
    crown = await add(sessions, CROWN)
    before = await stored(sessions)
    entries = [
        VenueUpsert(replace(CROWN, opening_hours="24/7")),
        VenueUpsert(replace(HAVEN, opening_hours="whenever")),
    ]
    with pytest.raises(HoursError):
        async with sessions() as session, session.begin():
            await repository.upsert_venues(session, entries)
    assert await stored(sessions) == before
    assert [venue.opening_hours for venue in before] == [crown.opening_hours]
    assert await version(sessions) == 1


def test_venue_identity_ignores_case_spacing_punctuation_and_accents() -> None:
    same = {
        repository.venue_identity(name, postcode)
        for name, postcode in [
            ("St. Mary's Café", "W1D 3QU"),
            ("st marys cafe", "w1d3qu"),
            ("ST MARY’S  CAFÉ!", "W1D  3QU"),
        ]
    }
    assert same == {"st marys cafe|W1D3QU"}
    assert repository.venue_identity("St Mary's Cafe", None) == "st marys cafe|"
