"""The optional online geocoder, against a local aiohttp server playing Nominatim:
asked only when the gazetteer misses, cached, rate limited, kept to the area, and
failing quietly."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.settings import Settings
from venues.geocoder import NOMINATIM_MIN_DELAY_SECONDS, NominatimGeocoder
from venues.model import BoundingBox, Point
from venues.places import (
    Ambiguous,
    Found,
    Gazetteer,
    InvalidCoordinates,
    NotFound,
    NotFoundReason,
    PlaceFinder,
    PlaceKind,
    load_gazetteer,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
AREA = BoundingBox(51.28, -0.51, 51.70, 0.34)
USER_AGENT = "nightsafe-tests"
MEWS = "7 Example Mews"  # not in the gazetteer; the fake Nominatim knows it
MEWS_ANSWER = {
    "lat": "51.5142",
    "lon": "-0.1339",
    "display_name": "7, Example Mews, Soho, City of Westminster, London, W1D 3AA, United Kingdom",
}
MANCHESTER = {"lat": "53.4808", "lon": "-2.2426", "display_name": "Example Street, Manchester"}


@dataclass
class FakeNominatim:
    """Answers /search from `answers` (query → list of results, or an HTTP status)."""

    answers: dict[str, list[dict[str, str]] | int] = field(default_factory=dict)
    requests: list[tuple[float, dict[str, str], str]] = field(default_factory=list)
    hang: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def search(self, request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "")
        self.requests.append((time.monotonic(), dict(request.query), request.headers["User-Agent"]))
        self.arrived.set()
        answer = self.answers.get(query, [])
        if answer == "hang":
            await self.hang.wait()  # released at teardown; the client times out first
        if isinstance(answer, int):
            return web.Response(status=answer, text="server error")
        if answer == "not json":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        return web.json_response(answer)

    @property
    def queries(self) -> list[str]:
        return [params["q"] for _, params, _ in self.requests]


@pytest.fixture
async def nominatim() -> AsyncIterator[tuple[FakeNominatim, str]]:
    fake = FakeNominatim(answers={MEWS.casefold(): [MEWS_ANSWER]})
    app = web.Application()
    app.router.add_get("/search", fake.search)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield fake, f"127.0.0.1:{server.port}"
    fake.hang.set()
    await server.close()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(DATA_DIR)


def geocoder(domain: str, **options: float) -> NominatimGeocoder:
    return NominatimGeocoder(
        area=AREA, user_agent=USER_AGENT, domain=domain, scheme="http", **options
    )


# --- the finder: offline first ------------------------------------------------------------


async def test_finder_asks_online_only_when_the_gazetteer_misses(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer
) -> None:
    fake, domain = nominatim
    finder = PlaceFinder(gazetteer, geocoder(domain, min_delay_seconds=0.0))
    try:
        offline = await finder.find("lester sqare")
        assert isinstance(offline, Found)
        assert offline.name == "Leicester Square"
        assert isinstance(await finder.find("victoria"), Ambiguous)
        assert fake.requests == []
        online = await finder.find(MEWS)
    finally:
        await finder.close()
    assert online == Found(
        name="7, Example Mews, Soho", kind=PlaceKind.ADDRESS, point=Point(51.5142, -0.1339)
    )
    assert fake.queries == [MEWS.casefold()]


async def test_finder_never_asks_online_about_nothing_or_impossible_coordinates(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer
) -> None:
    fake, domain = nominatim
    finder = PlaceFinder(gazetteer, geocoder(domain, min_delay_seconds=0.0))
    try:
        assert await finder.find("") == NotFound(NotFoundReason.EMPTY)
        assert await finder.find("💃🕺") == NotFound(NotFoundReason.EMPTY)
        assert await finder.find("x" * 4096) == NotFound(NotFoundReason.TOO_LONG)
        assert isinstance(await finder.find("91, 0"), InvalidCoordinates)
    finally:
        await finder.close()
    assert fake.requests == []


async def test_geocoder_sends_an_identifying_user_agent_and_the_area(
    nominatim: tuple[FakeNominatim, str],
) -> None:
    fake, domain = nominatim
    online = geocoder(domain, min_delay_seconds=0.0)
    try:
        await online.geocode(MEWS)
    finally:
        await online.close()
    [(_, params, user_agent)] = fake.requests
    assert user_agent == USER_AGENT
    assert params["bounded"] == "1"
    assert params["countrycodes"] == "gb"
    assert params["viewbox"] == "-0.51,51.28,0.34,51.7"


# --- cache, rate limit ----------------------------------------------------------------------


async def test_geocoder_caches_answers(nominatim: tuple[FakeNominatim, str]) -> None:
    fake, domain = nominatim
    online = geocoder(domain, min_delay_seconds=0.0)
    try:
        first = await online.geocode(MEWS)
        second = await online.geocode(f"  {MEWS.upper()} ")
        nothing = await online.geocode("Nowhere In Particular")
        nothing_again = await online.geocode("nowhere in particular")
    finally:
        await online.close()
    assert first is not None
    assert second == first
    assert nothing is None
    assert nothing_again is None
    assert len(fake.requests) == 2


async def test_geocoder_cache_is_bounded(nominatim: tuple[FakeNominatim, str]) -> None:
    fake, domain = nominatim
    online = geocoder(domain, min_delay_seconds=0.0, cache_size=2)
    try:
        for query in (MEWS, "second place", "third place", MEWS):
            await online.geocode(query)
    finally:
        await online.close()
    # The first answer was pushed out by the next two, so it was asked for again.
    assert fake.queries == [MEWS.casefold(), "second place", "third place", MEWS.casefold()]


async def test_geocoder_keeps_to_one_request_a_second(nominatim: tuple[FakeNominatim, str]) -> None:
    fake, domain = nominatim
    online = geocoder(domain)  # the default delay: Nominatim's usage policy
    assert online.min_delay_seconds >= 1.0
    try:
        await asyncio.gather(online.geocode("first place"), online.geocode("second place"))
    finally:
        await online.close()
    first, second = sorted(moment for moment, _, _ in fake.requests)
    # Request slots are measured by the client before sending; allow the network jitter.
    assert second - first >= NOMINATIM_MIN_DELAY_SECONDS - 0.05


# --- out of area and failures ----------------------------------------------------------------


async def test_geocoder_discards_answers_outside_the_area(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer
) -> None:
    fake, domain = nominatim
    fake.answers["example street manchester"] = [MANCHESTER]
    finder = PlaceFinder(gazetteer, geocoder(domain, min_delay_seconds=0.0))
    try:
        result = await finder.find("Example Street Manchester")
    finally:
        await finder.close()
    assert result == NotFound(NotFoundReason.NO_MATCH)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("failure", [500, 503, 429, "not json"])
async def test_geocoder_failure_is_not_found_and_not_cached(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer, failure: int | str
) -> None:
    fake, domain = nominatim
    fake.answers["broken place"] = failure  # type: ignore[assignment]
    finder = PlaceFinder(gazetteer, geocoder(domain, min_delay_seconds=0.0))
    try:
        first = await finder.find("Broken Place")
        second = await finder.find("Broken Place")
    finally:
        await finder.close()
    assert first == second == NotFound(NotFoundReason.NO_MATCH)
    assert len(fake.requests) == 2  # a failure is not remembered as "nothing there"


async def test_geocoder_timeout_is_not_found(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer
) -> None:
    fake, domain = nominatim
    fake.answers["slow place"] = "hang"  # type: ignore[assignment]
    finder = PlaceFinder(gazetteer, geocoder(domain, min_delay_seconds=0.0, timeout=0.2))
    try:
        started = time.monotonic()
        result = await finder.find("Slow Place")
        elapsed = time.monotonic() - started
    finally:
        await finder.close()
    assert result == NotFound(NotFoundReason.NO_MATCH)
    assert elapsed < 2


async def test_geocoder_unreachable_server_is_not_found() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    online = geocoder(f"127.0.0.1:{port}", min_delay_seconds=0.0, timeout=1.0)
    try:
        assert await online.geocode(MEWS) is None
    finally:
        await online.close()


async def test_geocoder_busy_answers_at_once_rather_than_queueing(
    nominatim: tuple[FakeNominatim, str],
) -> None:
    fake, domain = nominatim
    online = geocoder(domain, min_delay_seconds=0.0, max_waiting=1)
    fake.answers["slow place"] = "hang"  # type: ignore[assignment]
    try:
        slow = asyncio.create_task(online.geocode("slow place"))
        await fake.arrived.wait()  # the first request is on the server, waiting
        assert await online.geocode(MEWS) is None  # busy: not queued behind it
        fake.hang.set()
        await slow
    finally:
        await online.close()
    assert fake.queries == ["slow place"]


# --- settings --------------------------------------------------------------------------------


async def test_finder_from_default_settings_stays_offline(gazetteer: Gazetteer) -> None:
    finder = PlaceFinder.from_settings(gazetteer, Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        assert not finder.online
        assert await finder.find(MEWS) == NotFound(NotFoundReason.NO_MATCH)
    finally:
        await finder.close()


async def test_finder_from_settings_uses_the_configured_nominatim(
    nominatim: tuple[FakeNominatim, str], gazetteer: Gazetteer
) -> None:
    fake, domain = nominatim
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        geocoder="nominatim",
        geocoder_domain=domain,
        geocoder_scheme="http",
        geocoder_user_agent="nightsafe-deployment",
    )
    finder = PlaceFinder.from_settings(gazetteer, settings)
    try:
        assert finder.online
        result = await finder.find(MEWS)
    finally:
        await finder.close()
    assert isinstance(result, Found)
    assert result.kind is PlaceKind.ADDRESS
    assert [user_agent for _, _, user_agent in fake.requests] == ["nightsafe-deployment"]
