"""Automation flows and their runs; idle carts to enrol; purchases that end a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select, text, update

from omniloom.store.tables import carts, flow_runs, messaging_flows, orders

# The same predicate as the partial index ix_carts_idle, so the planner can use it.
_IDLE = text("carts.customer_id IS NOT NULL AND carts.status = 'active'")


def flows(conn: Connection) -> list[dict[str, Any]]:
    stmt = select(messaging_flows).order_by(messaging_flows.c.id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def flow(conn: Connection, flow_id: str) -> dict[str, Any] | None:
    stmt = select(messaging_flows).where(messaging_flows.c.id == flow_id)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def put_flow(
    conn: Connection, flow_id: str, definition: dict[str, Any], enabled: bool, now: datetime
) -> None:
    table = messaging_flows
    values = {"definition": definition, "enabled": enabled, "updated_at": now}
    if not conn.execute(update(table).where(table.c.id == flow_id).values(**values)).rowcount:
        conn.execute(insert(table).values(id=flow_id, scanned_until=None, **values))


def set_scanned(conn: Connection, flow_id: str, until: datetime) -> None:
    table = messaging_flows
    conn.execute(update(table).where(table.c.id == flow_id).values(scanned_until=until))


def idle_carts(
    conn: Connection, flow_id: str, after: datetime, until: datetime, limit: int
) -> list[tuple[str, str, datetime]]:
    """(cart, customer, last change) of signed-in shoppers' active carts last changed in
    (after, until] that this flow has not enrolled yet, oldest first."""
    enrolled = exists().where(flow_runs.c.flow_id == flow_id, flow_runs.c.cart_id == carts.c.id)
    stmt = (
        select(carts.c.id, carts.c.customer_id, carts.c.updated_at)
        .where(_IDLE, carts.c.updated_at > after, carts.c.updated_at <= until, ~enrolled)
        # A sale open at a till is the cashier's, not a cart the shopper left.
        .where(carts.c.channel != "pos")
        .order_by(carts.c.updated_at)
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in conn.execute(stmt)]


def insert_run(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(flow_runs), [row])


def due_runs(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    stmt = (
        select(flow_runs)
        .where(flow_runs.c.status == "active", flow_runs.c.due_at <= now)
        .order_by(flow_runs.c.due_at, flow_runs.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def move_run(conn: Connection, run_id: str, at_step: int, **values: Any) -> bool:
    """Change a run still at ``at_step``: a second clock tick racing this one changes nothing."""
    stmt = (
        update(flow_runs)
        .where(
            flow_runs.c.id == run_id, flow_runs.c.step == at_step, flow_runs.c.status == "active"
        )
        .values(**values)
    )
    return bool(conn.execute(stmt).rowcount)


def runs(
    conn: Connection,
    *,
    flow_id: str | None,
    customer_id: str | None,
    status: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    stmt = select(flow_runs).order_by(flow_runs.c.started_at, flow_runs.c.id).limit(limit)
    for column, value in (("flow_id", flow_id), ("customer_id", customer_id), ("status", status)):
        if value is not None:
            stmt = stmt.where(flow_runs.c[column] == value)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def bought_since(conn: Connection, customer_id: str, since: datetime) -> bool:
    """Whether the customer placed an order (any channel, any cart) at or after ``since``."""
    stmt = select(func.count()).where(
        and_(orders.c.customer_id == customer_id, orders.c.placed_at >= since)
    )
    return bool(conn.execute(stmt).scalar())
