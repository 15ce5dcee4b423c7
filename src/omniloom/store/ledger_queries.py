"""Reading the inventory ledger (stock_movements) back, oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from omniloom.store.tables import stock_movements


def movements(
    conn: Connection,
    *,
    after: int,
    limit: int,
    sku: str | None = None,
    location_id: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    query = select(stock_movements).where(stock_movements.c.seq > after)
    if sku is not None:
        query = query.where(stock_movements.c.sku == sku)
    if location_id is not None:
        query = query.where(stock_movements.c.location_id == location_id)
    if kind is not None:
        query = query.where(stock_movements.c.kind == kind)
    rows = conn.execute(query.order_by(stock_movements.c.seq).limit(limit)).mappings()
    return [dict(row) for row in rows]
