"""The optional online geocoder: OpenStreetMap's Nominatim, through geopy and aiohttp.

Off by default (the offline gazetteer answers alone). When a deployment turns it
on, `PlaceFinder` asks it only about text the gazetteer could not place. It keeps
to Nominatim's usage policy — at most one request a second, an identifying
User-Agent, answers cached — keeps only answers inside the deployment's area,
and turns every failure (timeout, HTTP error, bad answer) into "not found":
a person looking for help gets an answer, never an error.

Privacy: what people type can be where they are. Queries are never logged here,
and geopy's own debug logging of request URLs is turned down.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict

from geopy.adapters import AioHTTPAdapter
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim

from venues.model import BoundingBox, Point
from venues.places import Found, PlaceFinder, PlaceKind

__all__ = ["NOMINATIM_MIN_DELAY_SECONDS", "NominatimGeocoder", "PlaceFinder"]

logger = logging.getLogger(__name__)

# https://operations.osmfoundation.org/policies/nominatim/: one request a second.
NOMINATIM_MIN_DELAY_SECONDS = 1.0
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_CACHE_SIZE = 1024
# People waiting behind the rate limit beyond this get "not found" at once
# rather than a reply many seconds late.
DEFAULT_MAX_WAITING = 5
_SHOWN_ADDRESS_PARTS = 3


def _cache_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _short_address(address: str) -> str:
    """'Dean Street, Soho, City of Westminster, London, …, United Kingdom' → first parts."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    return ", ".join(parts[:_SHOWN_ADDRESS_PARTS]) or address


class NominatimGeocoder:
    """Places text through Nominatim, within `area`; never raises to the caller."""

    def __init__(
        self,
        *,
        area: BoundingBox,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        min_delay_seconds: float = NOMINATIM_MIN_DELAY_SECONDS,
        cache_size: int = DEFAULT_CACHE_SIZE,
        max_waiting: int = DEFAULT_MAX_WAITING,
        country_codes: str = "gb",
    ) -> None:
        self.area = area
        self.min_delay_seconds = min_delay_seconds
        self._cache: OrderedDict[str, Found | None] = OrderedDict()
        self._cache_size = cache_size
        self._max_waiting = max_waiting
        self._waiting = 0
        self._country_codes = country_codes
        self._timeout = timeout
        # The client session is made lazily, on the first request, inside the loop.
        self._nominatim = Nominatim(
            user_agent=user_agent,
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            adapter_factory=AioHTTPAdapter,
        )
        # No retries: a person is waiting, and a retry would cost another slot.
        self._geocode = AsyncRateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )
        logging.getLogger("geopy").setLevel(logging.INFO)  # its DEBUG logs carry queries

    async def geocode(self, text: str) -> Found | None:
        key = _cache_key(text)
        if not key:
            return None
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._waiting >= self._max_waiting:
            logger.warning("online geocoder busy: %d queries waiting", self._waiting)
            return None
        self._waiting += 1
        try:
            found = await self._ask(key)
        except Exception as error:  # any failure is "not found" for the person asking
            logger.warning("online geocoder failed: %s", type(error).__name__)
            return None  # not cached: the next person may be luckier
        finally:
            self._waiting -= 1
        self._remember(key, found)
        return found

    async def _ask(self, query: str) -> Found | None:
        area = self.area
        location = await self._geocode(
            query,
            exactly_one=True,
            country_codes=self._country_codes,
            viewbox=[
                (area.min_latitude, area.min_longitude),
                (area.max_latitude, area.max_longitude),
            ],
            bounded=True,
            timeout=self._timeout,
        )
        if location is None:
            return None
        point = Point(float(location.latitude), float(location.longitude))
        if not area.contains(point):
            return None  # the provider ignored the bounds: not a place we cover
        return Found(
            name=_short_address(location.address or query), kind=PlaceKind.ADDRESS, point=point
        )

    def _remember(self, key: str, found: Found | None) -> None:
        self._cache[key] = found
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def close(self) -> None:
        await self._nominatim.__aexit__(None, None, None)
