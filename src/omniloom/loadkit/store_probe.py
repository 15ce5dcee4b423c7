"""The verdict's questions to the store about orders: which acknowledged ones are missing, and
which of this run's shoppers' orders no client was told about."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, or_, select

from omniloom.loadkit.shoppers import LOAD_DOMAIN
from omniloom.store.tables import customers, orders

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
