"""Webhook endpoints, the deliveries fanned out from the event log, and every attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from omniloom.store.tables import events, webhook_attempts, webhook_deliveries, webhook_endpoints

# The fan-out looks this many events behind its cursor again: on PostgreSQL a transaction can
# commit after one that took a later sequence number, and its events must not be skipped.
LOOK_BACK = 100


def insert_endpoint(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(webhook_endpoints), [row])


def endpoint(conn: Connection, endpoint_id: str) -> dict[str, Any] | None:
    stmt = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def endpoints(conn: Connection, *, enabled_only: bool = False) -> list[dict[str, Any]]:
    stmt = select(webhook_endpoints).order_by(
        webhook_endpoints.c.created_at, webhook_endpoints.c.id
    )
    if enabled_only:
        stmt = stmt.where(webhook_endpoints.c.enabled.is_(True))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def change_endpoint(conn: Connection, endpoint_id: str, **values: Any) -> None:
    conn.execute(
        update(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id).values(**values)
    )


def last_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)


def events_for(conn: Connection, endpoint: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Events the endpoint may not have had yet, oldest first (a few seen ones among them)."""
    floor = max(endpoint["start_seq"], endpoint["after_seq"] - LOOK_BACK)
    stmt = select(events).where(events.c.seq > floor).order_by(events.c.seq).limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def delivered_events(conn: Connection, endpoint_id: str, event_ids: list[str]) -> set[str]:
    stmt = select(webhook_deliveries.c.event_id).where(
        webhook_deliveries.c.endpoint_id == endpoint_id,
        webhook_deliveries.c.event_id.in_(event_ids),
    )
    return {row[0] for row in conn.execute(stmt)}


def insert_deliveries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(webhook_deliveries), rows)


def delivery(conn: Connection, delivery_id: str) -> dict[str, Any] | None:
    stmt = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def due(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    stmt = (
        select(webhook_deliveries, webhook_endpoints.c.url)
        .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
        .where(
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.next_attempt_at <= now,
            webhook_endpoints.c.enabled.is_(True),
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def claim(conn: Connection, delivery_id: str, attempts: int, **values: Any) -> bool:
    """Take attempt ``attempts + 1`` (a racing process finds the count moved and backs off)."""
    stmt = (
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.id == delivery_id,
            webhook_deliveries.c.attempts == attempts,
            webhook_deliveries.c.status == "pending",
        )
        .values(attempts=attempts + 1, **values)
    )
    return bool(conn.execute(stmt).rowcount)


def finish(conn: Connection, delivery_id: str, **values: Any) -> None:
    conn.execute(
        update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id).values(**values)
    )


def attempts_logged(conn: Connection, delivery_id: str) -> int:
    stmt = select(func.count()).where(webhook_attempts.c.delivery_id == delivery_id)
    return int(conn.execute(stmt).scalar() or 0)


def log_attempt(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(webhook_attempts), [row])


def deliveries(
    conn: Connection, endpoint_id: str, status: str | None, limit: int
) -> list[dict[str, Any]]:
    stmt = (
        select(webhook_deliveries)
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
        .order_by(webhook_deliveries.c.created_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(webhook_deliveries.c.status == status)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def attempts_of(conn: Connection, delivery_ids: list[str]) -> list[dict[str, Any]]:
    if not delivery_ids:
        return []
    stmt = (
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(delivery_ids))
        .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.attempt)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
