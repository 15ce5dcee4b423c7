"""Who enters a flow: carts that fell idle, or shoppers named by the events that start it.

Enrolment is idempotent: a run is keyed by (flow, subject) — the cart, the order, or the view or
return event that started it — and subjects already enrolled are skipped, so reading an event
twice (the look-back below, a flow redefined, two clock ticks racing) never starts a second
series of messages. Events are read by sequence number, not time, so one that arrives late
(an offline till uploading yesterday's sale) is still seen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from omniloom.domain.flows import STARTING_EVENTS, FlowDefinition, Trigger, due_at
from omniloom.services.kernel.unit import Unit
from omniloom.store import flow_queries, messaging_queries

# How much one clock move does at most; the rest waits for the next move.
BATCH = 500
# A flow defined today does not chase carts left longer ago than this.
HORIZON = timedelta(days=30)
# Events this far behind the cursor are read again: on PostgreSQL a transaction can commit
# after one that took a later sequence number, and its events must not be skipped.
LOOK_BACK = 100


def enrol(unit: Unit, row: dict[str, Any], flow: FlowDefinition) -> None:
    if flow.trigger is Trigger.CART_ABANDONED:
        _enrol_carts(unit, row["id"], flow, row["scanned_until"])
    else:
        _enrol_events(unit, row["id"], flow, row["scanned_seq"] or 0)


def _new_run(
    unit: Unit,
    flow_id: str,
    flow: FlowDefinition,
    customer_id: str,
    subject: str,
    at: datetime,
    **about: str | None,
) -> None:
    flow_queries.insert_run(
        unit.conn,
        {
            "id": unit.ids.new("run"),
            "flow_id": flow_id,
            "customer_id": customer_id,
            "subject": subject,
            "cart_id": about.get("cart_id"),
            "order_id": about.get("order_id"),
            "status": "active",
            "step": 0,
            "started_at": at,
            "last_activity_at": at,
            "due_at": due_at(at, flow.steps[0]),
            "exit_reason": None,
            "updated_at": unit.now,
        },
    )


def _enrol_carts(unit: Unit, flow_id: str, flow: FlowDefinition, scanned: datetime | None) -> None:
    # Carts last changed by this instant have been idle for the first step's delay.
    until = unit.now - timedelta(minutes=flow.steps[0].delay_minutes)
    after = scanned if scanned is not None else unit.now - HORIZON
    if until <= after:
        return
    idle = flow_queries.idle_carts(unit.conn, flow_id, after, until, BATCH)
    refused = (
        messaging_queries.untracked(unit.conn, sorted({c for _, c, _ in idle})) if idle else set()
    )
    for cart_id, customer_id, changed_at in idle:
        if customer_id in refused:
            continue  # no tracking consent: their cart is not watched
        _new_run(unit, flow_id, flow, customer_id, cart_id, changed_at, cart_id=cart_id)
    if len(idle) < BATCH:
        flow_queries.set_scanned(unit.conn, flow_id, until)


def _enrol_events(unit: Unit, flow_id: str, flow: FlowDefinition, cursor: int) -> None:
    conn = unit.conn
    found = flow_queries.starting_events(
        conn, STARTING_EVENTS[flow.trigger], max(0, cursor - LOOK_BACK), BATCH
    )
    if not found:
        return
    had = flow_queries.enrolled(conn, flow_id, [_subject(flow.trigger, e) for e in found])
    owners: dict[str, str | None] = {}
    for event in found:
        subject = _subject(flow.trigger, event)
        customer_id = _customer(conn, event, owners)
        if subject in had or customer_id is None:
            continue
        if flow.trigger is Trigger.BROWSE_ABANDONED:
            if not _starts_a_browse(conn, flow_id, customer_id, event["occurred_at"]):
                continue
        elif flow.trigger is Trigger.ORDER_PICKED_UP:
            state = flow_queries.order_state(conn, event["order_id"])
            if state is None or state[1] == "pos":
                continue  # a sale at a till is "picked up" at once: it is no collection
        _new_run(
            unit,
            flow_id,
            flow,
            customer_id,
            subject,
            event["occurred_at"],
            order_id=event["order_id"],
        )
        had.add(subject)
    flow_queries.set_scanned_seq(conn, flow_id, max(cursor, found[-1]["seq"]))


def _subject(trigger: Trigger, event: dict[str, Any]) -> str:
    """What a run is about: the order for order follow-ups, else the event that started it."""
    if trigger in (Trigger.ORDER_PLACED, Trigger.ORDER_PICKED_UP) and event["order_id"]:
        return str(event["order_id"])
    return str(event["id"])


def _customer(conn: Any, event: dict[str, Any], owners: dict[str, str | None]) -> str | None:
    """The event's customer; for a view on a device, the customer that device belongs to."""
    if event["customer_id"] is not None:
        return str(event["customer_id"])
    device_id = event["device_id"]
    if device_id is None or event["type"] != "catalog.product_viewed":
        return None
    if device_id not in owners:
        owners[device_id] = flow_queries.device_owner(conn, device_id)
    return owners[device_id]


def _starts_a_browse(conn: Any, flow_id: str, customer_id: str, viewed_at: datetime) -> bool:
    """A view starts a browse unless a run of this flow is open for the shopper (it counts the
    view when it re-checks) or ended after it (a view before a run's end belongs to that run)."""
    latest = flow_queries.latest_run(conn, flow_id, customer_id)
    if latest is None:
        return True
    return latest["status"] != "active" and latest["updated_at"] < viewed_at
