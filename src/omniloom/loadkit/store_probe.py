"""The verdict's questions to the store about orders: which acknowledged ones are missing, and
which of this run's shoppers' orders no client was told about."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, or_, select

from omniloom.loadkit.shoppers import LOAD_DOMAIN
from omniloom.store.tables import customers, inventory, order_lines, orders

_BATCH = 500


def missing_orders(conn: Connection, ids: Iterable[str]) -> list[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        found.update(conn.execute(select(orders.c.id).where(orders.c.id.in_(batch))).scalars())
    return [order_id for order_id in wanted if order_id not in found]


def unacknowledged_orders(conn: Connection, run: str, acknowledged: set[str]) -> list[str]:
    """Orders of this run's shoppers (tagged by their email) that no client saw placed."""
    if not run:
        return []
    pattern = f"%.{run}.w%@{LOAD_DOMAIN}"
    shoppers = select(customers.c.id).where(customers.c.email.like(pattern))
    placed = conn.execute(
        select(orders.c.id).where(
            or_(orders.c.email.like(pattern), orders.c.customer_id.in_(shoppers))
        )
    ).scalars()
    return sorted(order_id for order_id in placed if order_id not in acknowledged)


def sold(conn: Connection, sku: str) -> tuple[int, int]:
    """(orders, units) of `sku` in orders that stand (not cancelled)."""
    row = conn.execute(
        select(
            func.count(func.distinct(orders.c.id)),
            func.coalesce(func.sum(order_lines.c.quantity), 0),
        )
        .select_from(order_lines.join(orders, orders.c.id == order_lines.c.order_id))
        .where(order_lines.c.sku == sku, orders.c.status != "cancelled")
    ).one()
    return int(row[0]), int(row[1])


def available(conn: Connection, sku: str) -> int:
    """Units of `sku` on hand and not held, at every location."""
    left = conn.execute(
        select(func.coalesce(func.sum(inventory.c.on_hand - inventory.c.reserved), 0)).where(
            inventory.c.sku == sku
        )
    ).scalar()
    return int(left or 0)
