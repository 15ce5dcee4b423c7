"""Webhook deliveries: fanned out from the event log, attempted on the simulated clock.

The fan-out runs with the clock's due work, inside a unit of work: it reads the event log (which
every change writes in its own transaction) and writes one delivery per subscribed endpoint, so
a restart loses nothing. Attempts happen outside any transaction, through a transport the API
layer provides: each is claimed first with a conditional update (the attempt count moves and the
next retry is scheduled), then sent, then logged, so two processes never send the same attempt
and a crash mid-send is simply retried on schedule.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, Protocol

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.domain.webhooks import MAX_ATTEMPTS, next_attempt_delay, subscribed
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.webhooks import signing_secrets
from omniloom.store import webhook_queries

# Events read per endpoint, and attempts made, per clock move; the rest wait for the next.
BATCH = 500


class Transport(Protocol):
    async def __call__(
        self, url: str, webhook_id: str, body: bytes, secrets: list[str]
    ) -> tuple[int | None, str | None]:
        """POST ``body`` signed with ``secrets``; (HTTP status, None) or (None, what failed)."""
        ...


class AttemptView(msgspec.Struct, frozen=True):
    attempt: int
    at: datetime
    # What the receiver answered; None when it did not (see error).
    http_status: int | None
    error: str | None


class DeliveryView(msgspec.Struct, frozen=True):
    # The webhook-id header: the same on every attempt.
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    payload: str
    log: list[AttemptView]


class DeliveryList(msgspec.Struct, frozen=True):
    items: list[DeliveryView]


class Dispatched(msgspec.Struct, frozen=True):
    attempted: int
    delivered: int


def _payload(event: dict[str, Any]) -> str:
    """The body receivers get: {type, timestamp, data} as the Standard Webhooks spec shows it."""
    data = {
        "event_id": event["id"],
        "seq": event["seq"],
        "channel": event["channel"],
        "customer_id": event["customer_id"],
        "cart_id": event["cart_id"],
        "order_id": event["order_id"],
        **(event["data"] or {}),
    }
    body = {"type": event["type"], "timestamp": event["occurred_at"], "data": data}
    return msgspec.json.encode(body).decode()


def fan_out(unit: Unit) -> int:
    """One delivery per new event per endpoint subscribed to its type; how many were written."""
    written = 0
    for endpoint in webhook_queries.endpoints(unit.conn, enabled_only=True):
        found = webhook_queries.events_for(unit.conn, endpoint, BATCH)
        if not found:
            continue
        wanted = [e for e in found if subscribed(endpoint["event_types"], e["type"])]
        had = webhook_queries.delivered_events(unit.conn, endpoint["id"], [e["id"] for e in wanted])
        rows = [
            {
                "id": unit.ids.new("whd"),
                "endpoint_id": endpoint["id"],
                "event_id": event["id"],
                "event_type": event["type"],
                "payload": _payload(event),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": unit.now,
                "created_at": unit.now,
                "delivered_at": None,
            }
            for event in wanted
            if event["id"] not in had
        ]
        webhook_queries.insert_deliveries(unit.conn, rows)
        last = max(endpoint["after_seq"], found[-1]["seq"])
        webhook_queries.change_endpoint(unit.conn, endpoint["id"], after_seq=last)
        written += len(rows)
    return written


async def dispatch_due(runtime: Runtime, send: Transport) -> Dispatched:
    """Make every attempt that is due on the simulated clock."""
    now = runtime.clock.now()
    due = await runtime.read(lambda conn: _due_with_secrets(conn, now))
    attempted = delivered = 0
    for delivery, secrets in due:
        made = delivery["attempts"] + 1

        def claim(unit: Unit, delivery: dict[str, Any] = delivery, made: int = made) -> bool:
            wait = next_attempt_delay(made)
            return webhook_queries.claim(
                unit.conn,
                delivery["id"],
                delivery["attempts"],
                next_attempt_at=None if wait is None else unit.now + wait,
            )

        if not await runtime.write(claim, "admin"):
            continue
        body = delivery["payload"].encode()
        status, error = await send(delivery["url"], delivery["id"], body, secrets)
        ok = _succeeded(status)
        await runtime.write(
            partial(_record, delivery=delivery, status=status, error=error), "admin"
        )
        attempted += 1
        delivered += ok
    return Dispatched(attempted, delivered)


def _succeeded(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _due_with_secrets(conn: Connection, now: datetime) -> list[tuple[dict[str, Any], list[str]]]:
    due = webhook_queries.due(conn, now, BATCH)
    endpoints = {row["id"]: row for row in webhook_queries.endpoints(conn)}
    return [(d, signing_secrets(endpoints[d["endpoint_id"]], now)) for d in due]


def _record(unit: Unit, *, delivery: dict[str, Any], status: int | None, error: str | None) -> None:
    attempt = delivery["attempts"] + 1
    ok = _succeeded(status)
    webhook_queries.log_attempt(
        unit.conn,
        {
            "delivery_id": delivery["id"],
            # Numbered across replays, so the log keeps every attempt ever made.
            "attempt": webhook_queries.attempts_logged(unit.conn, delivery["id"]) + 1,
            "at": unit.now,
            "status_code": status,
            "error": None if error is None else error[:200],
        },
    )
    if ok:
        webhook_queries.finish(
            unit.conn,
            delivery["id"],
            status="delivered",
            delivered_at=unit.now,
            next_attempt_at=None,
        )
    elif attempt >= MAX_ATTEMPTS:
        webhook_queries.finish(unit.conn, delivery["id"], status="failed", next_attempt_at=None)


def list_deliveries(
    conn: Connection, endpoint_id: str, status: str | None, limit: int
) -> DeliveryList:
    if webhook_queries.endpoint(conn, endpoint_id) is None:
        raise NotFound(f"There is no webhook endpoint {endpoint_id!r}.")
    rows = webhook_queries.deliveries(conn, endpoint_id, status, limit)
    log: dict[str, list[AttemptView]] = {}
    for attempt in webhook_queries.attempts_of(conn, [row["id"] for row in rows]):
        log.setdefault(attempt["delivery_id"], []).append(
            AttemptView(attempt["attempt"], attempt["at"], attempt["status_code"], attempt["error"])
        )
    return DeliveryList([_delivery_view(row, log.get(row["id"], [])) for row in rows])


def _delivery_view(row: dict[str, Any], log: list[AttemptView]) -> DeliveryView:
    fields = {f: row[f] for f in DeliveryView.__struct_fields__ if f != "log"}
    return DeliveryView(**fields, log=log)


def replay(unit: Unit, delivery_id: str) -> DeliveryView:
    """Send a delivery again from the first attempt (same webhook-id, so receivers can dedupe)."""
    row = webhook_queries.delivery(unit.conn, delivery_id)
    if row is None:
        raise NotFound(f"There is no webhook delivery {delivery_id!r}.")
    webhook_queries.finish(
        unit.conn, delivery_id, status="pending", attempts=0, next_attempt_at=unit.now
    )
    fresh = webhook_queries.delivery(unit.conn, delivery_id)
    assert fresh is not None
    return _delivery_view(fresh, [])
