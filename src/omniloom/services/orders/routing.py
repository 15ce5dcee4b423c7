"""Routing a shipped order: the configured rule ranks the channel's locations per line, and
each line is reserved at the first location of its ranking that has all of its units.

No database reads are added for it: the locations come from the in-memory layout and the stock
figures are only those the stock-level cache already holds (none on PostgreSQL). The conditional
reserve stays the final guard, exactly as first-fit used it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from omniloom.domain.routing import Destination, Line, ShipTo, Site, locate, point_at
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime, StoreLayout
from omniloom.services.kernel.unit import Unit


class Routed(msgspec.Struct, frozen=True):
    """Where each line went and why, as the order records it."""

    rule: str
    destination: Destination
    locations: list[str]  # per line, where its units were reserved

    def record(self) -> dict[str, Any]:
        """The decision kept on the order (its ``routing`` column)."""
        return {"rule": self.rule, "located_by": str(self.destination.located_by)}

    def emit(self, unit: Unit, order_id: str, lines: Sequence[Line]) -> None:
        unit.emit(
            "order.routed",
            order_id=order_id,
            rule=self.rule,
            located_by=str(self.destination.located_by),
            lines=[
                {"sku": line.sku, "quantity": line.quantity, "location_id": location}
                for line, location in zip(lines, self.locations, strict=True)
            ],
        )


def sites(layout: StoreLayout, location_ids: Sequence[str]) -> list[Site]:
    return [layout.sites[location_id] for location_id in location_ids]


def ship_to(address: Mapping[str, Any]) -> ShipTo:
    point = point_at(address.get("latitude"), address.get("longitude"))
    return ShipTo(address.get("city"), address.get("postal_code"), point)


def route_and_reserve(
    runtime: Runtime,
    unit: Unit,
    order_id: str,
    lines: Sequence[Line],
    candidates: Sequence[str],
    address: Mapping[str, Any],
) -> Routed:
    """Reserve every line where the configured rule sends it; raises InsufficientStock (and
    the unit of work undoes the lines already reserved) when a line fits nowhere."""
    candidate_sites = sites(runtime.layout, candidates)
    destination = locate(ship_to(address), candidate_sites)
    known = runtime.stock_levels.known([line.sku for line in lines])
    availability = {sku: dict(levels) for sku, levels in known.items()}
    ranked = runtime.routing_rule(lines, candidate_sites, destination, availability)
    chosen = [
        stock.reserve_first_fit(unit, line.sku, line.quantity, ranking, order_id=order_id)
        for line, ranking in zip(lines, ranked, strict=True)
    ]
    return Routed(runtime.settings.routing_rule, destination, chosen)
