"""Fulfilment routing: which location each line of a shipped order comes from.

A rule is a pure function. It gets the order's lines, the candidate locations (in the channel's
own rank), the located destination and whatever stock figures are known, and returns, per line,
the locations to try in order. The checkout reserves each line at the first location of its
ranking that still has all of the units; the conditional reserve in the database has the final
word, so a ranking built on a stale figure costs one more try, never an oversell.

How the destination is found: the ship-to's own coordinates when given; otherwise a location
whose postal code, then whose city, matches the address stands in for it; otherwise it is
unknown and the distance-based rules fall back to the channel's rank.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import msgspec

EARTH_RADIUS_KM = 6371.0088


class Point(msgspec.Struct, frozen=True):
    latitude: float
    longitude: float


def point_at(latitude: float | None, longitude: float | None) -> Point | None:
    """A place on the map, or None when either coordinate is unknown."""
    return None if latitude is None or longitude is None else Point(latitude, longitude)


@dataclass(frozen=True, slots=True)
class Site:
    """A location an order may ship from."""

    id: str
    kind: str  # "dc" or "store"
    city: str
    postal_code: str | None = None
    point: Point | None = None

    def __hash__(self) -> int:
        # Sites key the ranking memo below on every checkout; the id alone is a valid hash
        # (equal sites share it) and costs a fraction of hashing every field.
        return hash(self.id)


class ShipTo(msgspec.Struct, frozen=True):
    city: str | None = None
    postal_code: str | None = None
    point: Point | None = None


class Line(msgspec.Struct, frozen=True):
    sku: str
    quantity: int


class LocatedBy(StrEnum):
    COORDINATES = "coordinates"
    POSTAL_CODE = "postal_code"
    CITY = "city"
    UNKNOWN = "unknown"


class Destination(msgspec.Struct, frozen=True):
    located_by: LocatedBy
    point: Point | None = None
    # The location the address was matched to: distance 0 even when it has no coordinates.
    site_id: str | None = None


UNKNOWN = Destination(LocatedBy.UNKNOWN)

# sku -> location id -> units available, for the SKUs whose figures are known (possibly none).
Availability = Mapping[str, Mapping[str, int]]


class RoutingRule(Protocol):
    def __call__(
        self,
        lines: Sequence[Line],
        sites: Sequence[Site],
        destination: Destination,
        availability: Availability,
    ) -> list[list[str]]:
        """Per line, the ids of the locations to try, best first."""
        ...


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine distance on a spherical Earth: ample for ranking locations."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _normal(value: str | None) -> str | None:
    return None if value is None else value.strip().casefold()


def locate(ship_to: ShipTo, sites: Sequence[Site]) -> Destination:
    if ship_to.point is not None:
        return Destination(LocatedBy.COORDINATES, ship_to.point)
    postal_code, city = _normal(ship_to.postal_code), _normal(ship_to.city)
    if postal_code is not None:
        for site in sites:
            if _normal(site.postal_code) == postal_code:
                return Destination(LocatedBy.POSTAL_CODE, site.point, site.id)
    if city is not None:
        for site in sites:
            if _normal(site.city) == city:
                return Destination(LocatedBy.CITY, site.point, site.id)
    return UNKNOWN


def distance_km(site: Site, destination: Destination) -> float | None:
    """How far the site is from the destination; None when either has no known place."""
    if site.id == destination.site_id:
        return 0.0
    if site.point is None or destination.point is None:
        return None
    return great_circle_km(site.point, destination.point)


SiteKey = Callable[[Site, int, Destination], tuple[float | int, ...]]


def rank_by(key: SiteKey) -> RoutingRule:
    """A rule that orders sites by ``key(site, channel_rank, destination)`` for every line.

    Sites known to lack a line's units go to the end of that line's list rather than out of
    it: the figures may be a moment old, and the database decides.
    """

    # Checkouts rank the same few sites for the same few destinations again and again, and the
    # order is a pure function of the two; bounded, because ship-to coordinates are free input.
    @functools.lru_cache(maxsize=256)
    def preferred_order(sites: tuple[Site, ...], destination: Destination) -> tuple[str, ...]:
        ranked = sorted(enumerate(sites), key=lambda pair: key(pair[1], pair[0], destination))
        return tuple(site.id for _, site in ranked)

    def rule(
        lines: Sequence[Line],
        sites: Sequence[Site],
        destination: Destination,
        availability: Availability,
    ) -> list[list[str]]:
        preferred = preferred_order(tuple(sites), destination)
        ranked = []
        for line in lines:
            known = availability.get(line.sku)
            if known is None:
                ranked.append(list(preferred))
                continue
            enough = [site for site in preferred if known.get(site, 0) >= line.quantity]
            short = [site for site in preferred if known.get(site, 0) < line.quantity]
            ranked.append(enough + short)
        return ranked

    return rule


def _by_distance(site: Site, rank: int, destination: Destination) -> tuple[float | int, ...]:
    distance = distance_km(site, destination)
    # Unknown distances after known ones, and the channel's rank breaks every tie.
    return (distance is None, distance or 0.0, rank)


def _dc_first(site: Site, rank: int, destination: Destination) -> tuple[float | int, ...]:
    return (site.kind != "dc", *_by_distance(site, rank, destination))


def _rank_only(site: Site, rank: int, destination: Destination) -> tuple[float | int, ...]:
    return (rank,)


DEFAULT_RULE = "dc_then_nearest_store"

# The rules a store may choose (Settings.routing_rule); ``register`` adds one in code.
RULES: dict[str, RoutingRule] = {
    "dc_then_nearest_store": rank_by(_dc_first),
    "nearest": rank_by(_by_distance),
    "channel_rank": rank_by(_rank_only),
}


def register(name: str, rule: RoutingRule) -> None:
    RULES[name] = rule


def rule_named(name: str) -> RoutingRule:
    rule = RULES.get(name)
    if rule is None:
        known = ", ".join(sorted(RULES))
        raise ValueError(f"There is no routing rule {name!r}; known rules: {known}.")
    return rule
