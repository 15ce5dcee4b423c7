"""Offline registers: uploaded batches, reconciled sales, stock conflicts and the stock policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from omniloom.store import raw
from omniloom.store.tables import (
    locations,
    offline_batches,
    offline_sales,
    stock_conflicts,
)

_POLICY = select(locations.c.negative_stock_allowed).where(locations.c.id == bindparam("id"))
# On PostgreSQL a batch reads the policy under a shared lock and a policy change takes the row
# exclusively before counting open conflicts, so neither can act on what the other is changing:
# a store could otherwise forbid negative stock while a batch, having read "allowed", oversells.
_POLICY_FOR_BATCH = _POLICY.with_for_update(read=True)
_POLICY_FOR_CHANGE = _POLICY.with_for_update()
_SET_POLICY = (
    update(locations)
    .where(locations.c.id == bindparam("b_id"))
    .values(negative_stock_allowed=bindparam("b_allowed"))
)
_BATCH = select(offline_batches.c.fingerprint, offline_batches.c.result).where(
    offline_batches.c.register_id == bindparam("register_id"),
    offline_batches.c.batch_id == bindparam("batch_id"),
)
_INSERT_BATCH = offline_batches.insert()
_SET_BATCH_RESULT = (
    update(offline_batches)
    .where(
        offline_batches.c.register_id == bindparam("b_register"),
        offline_batches.c.batch_id == bindparam("b_batch"),
    )
    .values(result=bindparam("b_result"))
)
_SALE = select(offline_sales.c.status, offline_sales.c.order_id).where(
    offline_sales.c.register_id == bindparam("register_id"),
    offline_sales.c.local_id == bindparam("local_id"),
)
_INSERT_SALE = offline_sales.insert()
_INSERT_CONFLICT = stock_conflicts.insert()
_CONFLICT = select(stock_conflicts).where(stock_conflicts.c.id == bindparam("id"))
_OPEN_AT = select(func.count()).where(
    stock_conflicts.c.location_id == bindparam("location_id"),
    stock_conflicts.c.status == "open",
)
_RESOLVE = (
    update(stock_conflicts)
    .where(
        stock_conflicts.c.sku == bindparam("b_sku"),
        stock_conflicts.c.location_id == bindparam("b_location"),
        stock_conflicts.c.status == "open",
    )
    .values(status="resolved", counted=bindparam("b_counted"), resolved_at=bindparam("b_now"))
    .returning(stock_conflicts.c.id)
)


# Read under a row lock on PostgreSQL, so a count is measured against the level it replaces.
def negative_stock_allowed(
    conn: Connection, location_id: str, *, changing: bool = False
) -> bool | None:
    """The location's policy, or None when there is no such location; read under a lock,
    shared for a batch and exclusive when ``changing`` it."""
    stmt = _POLICY_FOR_CHANGE if changing else _POLICY_FOR_BATCH
    row = raw.first(conn, stmt, {"id": location_id})
    return None if row is None else bool(row[0])


def set_negative_stock_allowed(conn: Connection, location_id: str, allowed: bool) -> bool:
    return raw.execute(conn, _SET_POLICY, {"b_id": location_id, "b_allowed": allowed}) == 1


def batch(conn: Connection, register_id: str, batch_id: str) -> tuple[str, str] | None:
    """The fingerprint and stored result of a batch this register uploaded before."""
    row = raw.first(conn, _BATCH, {"register_id": register_id, "batch_id": batch_id})
    return None if row is None else (row[0], row[1])


def insert_batch(conn: Connection, row: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_BATCH, [row])


def set_batch_result(conn: Connection, register_id: str, batch_id: str, result: str) -> None:
    params = {"b_register": register_id, "b_batch": batch_id, "b_result": result}
    raw.execute(conn, _SET_BATCH_RESULT, params)


def reconciled_sale(conn: Connection, register_id: str, local_id: str) -> tuple[str, str] | None:
    """How an earlier batch settled this sale: its status and order id."""
    row = raw.first(conn, _SALE, {"register_id": register_id, "local_id": local_id})
    return None if row is None else (row[0], row[1])


def insert_sale(conn: Connection, row: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_SALE, [row])


def insert_conflicts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    raw.insert_many(conn, _INSERT_CONFLICT, rows)


def conflict(conn: Connection, conflict_id: str) -> dict[str, Any] | None:
    found = raw.dicts(conn, _CONFLICT, {"id": conflict_id})
    return found[0] if found else None


def conflicts(
    conn: Connection, location_id: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first; one store's or (``location_id`` None) every store's."""
    stmt = select(stock_conflicts)
    if location_id is not None:
        stmt = stmt.where(stock_conflicts.c.location_id == location_id)
    if status is not None:
        stmt = stmt.where(stock_conflicts.c.status == status)
    stmt = stmt.order_by(stock_conflicts.c.created_at.desc(), stock_conflicts.c.id.desc())
    return [dict(row._mapping) for row in conn.execute(stmt.limit(limit))]


def open_conflicts_at(conn: Connection, location_id: str) -> int:
    row = raw.first(conn, _OPEN_AT, {"location_id": location_id})
    return 0 if row is None else int(row[0])


def resolve(conn: Connection, sku: str, location_id: str, counted: int, now: datetime) -> list[str]:
    """Close every open conflict on the SKU at the location with one count; their ids."""
    params = {"b_sku": sku, "b_location": location_id, "b_counted": counted, "b_now": now}
    return sorted(row[0] for row in raw.rows(conn, _RESOLVE, params))
