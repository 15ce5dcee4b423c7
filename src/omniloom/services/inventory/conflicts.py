"""Stock conflicts: what offline reconciliation could not square with the books, and the
per-location policy that decides whether an offline sale may take stock below zero.

An ``oversold`` conflict stays open until the store counts the SKU; the count becomes an
``adjustment`` in the ledger that sets on hand to the units really there, and closes every open
conflict on that SKU at that store. Rejected sales' conflicts are a record, never reopened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import (
    FieldError,
    NotFound,
    OpenStockConflicts,
    StockBelowReserved,
    StockConflictClosed,
)
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import check_store
from omniloom.store import inventory_queries, pos_offline_queries
from omniloom.store.inventory_queries import Ref


class StockConflictView(msgspec.Struct, frozen=True):
    id: str
    kind: str  # oversold, insufficient_stock, payment_declined, gift_card_insufficient
    status: str  # open, resolved or rejected
    location_id: str
    register_id: str
    batch_id: str
    local_id: str
    order_id: str | None
    sku: str | None
    quantity: int | None
    shortfall: int | None
    detail: str | None
    created_at: datetime
    counted: int | None
    resolved_at: datetime | None


class CountView(msgspec.Struct, frozen=True):
    """A count that settled an oversell: the level before and after, and what it closed."""

    sku: str
    location_id: str
    previous_on_hand: int
    counted: int
    resolved: list[StockConflictView]


class StockPolicyView(msgspec.Struct, frozen=True):
    location_id: str
    negative_stock_allowed: bool


def conflict_view(row: dict[str, Any]) -> StockConflictView:
    return StockConflictView(**{str(key): value for key, value in row.items()})


async def list_conflicts(
    runtime: Runtime, location_id: str | None, status: str | None, limit: int
) -> list[StockConflictView]:
    rows = await runtime.read(
        lambda conn: pos_offline_queries.conflicts(conn, location_id, status, limit)
    )
    return [conflict_view(row) for row in rows]


def _conflict_at(conn: Connection, location_id: str | None, conflict_id: str) -> dict[str, Any]:
    found = pos_offline_queries.conflict(conn, conflict_id)
    if found is None:
        raise NotFound(f"There is no stock conflict {conflict_id!r}.")
    check_store(location_id, found["location_id"], f"Stock conflict {conflict_id}")
    return found


def resolve(
    unit: Unit, location_id: str | None, conflict_id: str, *, counted: int, associate_id: str | None
) -> CountView:
    """Settle an oversell with a physical count; every conflict it closed."""
    found = _conflict_at(unit.conn, location_id, conflict_id)
    if found["status"] != "open":
        raise StockConflictClosed(f"Stock conflict {conflict_id} is {found['status']}.")
    sku, store = found["sku"], found["location_id"]
    reason = f"count of {counted} settling stock conflict {conflict_id}"
    on_hand, closed = count_shelf(unit, sku, store, counted, reason)
    unit.emit(
        "inventory.counted",
        sku=sku,
        location_id=store,
        counted=counted,
        previous_on_hand=on_hand,
        associate_id=associate_id,
        resolved_conflicts=closed,
    )
    resolved = [conflict_view(_conflict_at(unit.conn, location_id, cid)) for cid in closed]
    return CountView(sku, store, on_hand, counted, resolved)


def count_shelf(
    unit: Unit, sku: str, location_id: str, counted: int, reason: str
) -> tuple[int, list[str]]:
    """Set a shelf to what a physical count found, through the ledger (an ``adjustment``).

    A count is the truth about the shelf, so it clears an offline oversell's flag and closes the
    SKU's open conflicts there, whoever took it (the till settling a conflict, an admin's
    stock adjustment). Returns the on-hand figure it replaced and the conflicts it closed.
    """
    level = inventory_queries.stock_level(unit.conn, sku, location_id, lock=True)
    on_hand = 0 if level is None else level[0]
    if not inventory_queries.recount(
        unit.conn, sku, location_id, counted - on_hand, Ref(unit.now, reason=reason)
    ):
        reserved = 0 if level is None else level[1]
        raise StockBelowReserved(
            f"{reserved} of {sku} are held for orders at {location_id}; a count of {counted} "
            "cannot cover them. Cancel or move those orders first.",
            errors=[FieldError("counted", f"at least {reserved} (reserved for orders)")],
            extra={"on_hand": on_hand, "reserved": reserved},
        )
    return on_hand, pos_offline_queries.resolve(unit.conn, sku, location_id, counted, unit.now)


def set_policy(unit: Unit, location_id: str, *, negative_stock_allowed: bool) -> StockPolicyView:
    conn = unit.conn
    if pos_offline_queries.negative_stock_allowed(conn, location_id, changing=True) is None:
        raise NotFound(f"There is no location {location_id!r}.")
    # An oversell already taken stays flagged until counted; forbidding it now would leave
    # negative stock the policy no longer allows.
    if not negative_stock_allowed and pos_offline_queries.open_conflicts_at(conn, location_id):
        raise OpenStockConflicts(
            f"{location_id} has open stock conflicts; count them before forbidding negative stock."
        )
    pos_offline_queries.set_negative_stock_allowed(conn, location_id, negative_stock_allowed)
    unit.emit(
        "location.stock_policy_changed",
        location_id=location_id,
        negative_stock_allowed=negative_stock_allowed,
    )
    return StockPolicyView(location_id, negative_stock_allowed)
