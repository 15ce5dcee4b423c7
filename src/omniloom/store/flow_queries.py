"""Automation flows and their runs; idle carts and events to enrol; what ends a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from omniloom.store.tables import (
    carts,
    events,
    flow_runs,
    messaging_flows,
    order_lines,
    orders,
    returns,
    skus,
)

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
    conn: Connection,
    flow_id: str,
    definition: dict[str, Any],
    enabled: bool,
    now: datetime,
    **cursor: Any,
) -> None:
    """Insert or change a flow; ``cursor`` (scanned_until, scanned_seq) moves where it reads."""
    table = messaging_flows
    values = {"definition": definition, "enabled": enabled, "updated_at": now, **cursor}
    if not conn.execute(update(table).where(table.c.id == flow_id).values(**values)).rowcount:
        conn.execute(insert(table).values(id=flow_id, **values))


def last_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)


def set_scanned_seq(conn: Connection, flow_id: str, seq: int) -> None:
    table = messaging_flows
    conn.execute(update(table).where(table.c.id == flow_id).values(scanned_seq=seq))


def starting_events(
    conn: Connection, types: tuple[str, ...], after_seq: int, limit: int
) -> list[dict[str, Any]]:
    """Events of ``types`` after ``after_seq``, oldest first."""
    stmt = (
        select(events)
        .where(events.c.seq > after_seq, events.c.type.in_(types))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def enrolled(conn: Connection, flow_id: str, subjects: list[str]) -> set[str]:
    stmt = select(flow_runs.c.subject).where(
        flow_runs.c.flow_id == flow_id, flow_runs.c.subject.in_(subjects)
    )
    return {row[0] for row in conn.execute(stmt)}


def latest_run(conn: Connection, flow_id: str, customer_id: str) -> dict[str, Any] | None:
    stmt = (
        select(flow_runs)
        .where(flow_runs.c.flow_id == flow_id, flow_runs.c.customer_id == customer_id)
        .order_by(flow_runs.c.updated_at.desc(), flow_runs.c.id.desc())
        .limit(1)
    )
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def device_owner(conn: Connection, device_id: str) -> str | None:
    """The customer a device was last seen with, unless they signed out on it since."""
    stmt = (
        select(events.c.customer_id, events.c.type)
        .where(events.c.device_id == device_id, events.c.customer_id.is_not(None))
        .order_by(events.c.seq.desc())
        .limit(1)
    )
    row = conn.execute(stmt).first()
    if row is None or row[1] == "customer.signed_out":
        return None
    return str(row[0])


def _by_shopper(customer_id: str) -> ColumnElement[bool]:
    """Events of the customer, and the anonymous ones of the devices they were seen on."""
    devices = (
        select(events.c.device_id)
        .where(events.c.customer_id == customer_id, events.c.device_id.is_not(None))
        .distinct()
    )
    return or_(
        events.c.customer_id == customer_id,
        and_(events.c.customer_id.is_(None), events.c.device_id.in_(devices)),
    )


def latest_view(conn: Connection, customer_id: str, since: datetime) -> tuple[datetime, str] | None:
    """(when, product) of the shopper's latest product view at or after ``since``."""
    stmt = (
        select(events.c.occurred_at, events.c.product_id)
        .where(
            events.c.type == "catalog.product_viewed",
            events.c.occurred_at >= since,
            _by_shopper(customer_id),
        )
        .order_by(events.c.occurred_at.desc(), events.c.seq.desc())
        .limit(1)
    )
    row = conn.execute(stmt).first()
    return None if row is None else (row[0], row[1])


def carted_since(conn: Connection, customer_id: str, since: datetime) -> bool:
    """Whether the shopper added anything to a cart at or after ``since``."""
    stmt = select(func.count()).where(
        events.c.type == "cart.item_added", events.c.occurred_at >= since, _by_shopper(customer_id)
    )
    return bool(conn.execute(stmt).scalar())


def order_state(conn: Connection, order_id: str) -> tuple[str, str, bool] | None:
    """(status, channel, whether anything of it was returned) of an order."""
    row = conn.execute(select(orders.c.status, orders.c.channel).where(orders.c.id == order_id))
    found = row.first()
    if found is None:
        return None
    returned = select(func.count()).where(returns.c.order_id == order_id)
    return found[0], found[1], bool(conn.execute(returned).scalar())


def order_product(conn: Connection, order_id: str) -> str | None:
    """The product of the order's first line (the one a follow-up asks about)."""
    stmt = (
        select(skus.c.product_id)
        .join(order_lines, order_lines.c.sku == skus.c.sku)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.id)
        .limit(1)
    )
    found = conn.execute(stmt).scalar()
    return None if found is None else str(found)


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
