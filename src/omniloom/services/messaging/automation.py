"""Running the flows when the clock moves: enrol idle carts, then work every step that fell due.

Each step re-checks the world before it sends, because events arrive late and out of order and
shoppers buy on several carts and in stores: a shopper who placed any order since the run began
is never reminded (the step is recorded as suppressed, ``converted``); a cart changed since is
waited for again; quiet hours push the step to the morning in the shopper's zone; a frequency
cap records the step as suppressed, ``capped``. A run moves one step at a time with a
conditional update, so two clock ticks racing each other send a step once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.flows import FlowDefinition, FlowStep, due_at, message_body, quiet_until
from omniloom.domain.messaging import MessagingChannel, SuppressReason
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.consent import DEFAULT_TIMEZONE
from omniloom.services.messaging.flows import definition_of
from omniloom.services.messaging.outbox import Outcome, SendMessage, record, route
from omniloom.store import (
    cart_queries,
    flow_queries,
    inventory_queries,
    messaging_queries,
    outbox_queries,
)

# How much one clock move does at most; the rest waits for the next move.
BATCH = 500
# A flow defined today does not chase carts left longer ago than this.
HORIZON = timedelta(days=30)


def run_due(runtime: Runtime, unit: Unit) -> None:
    """The clock's due-work hook: enrol idle carts in each flow, then work the due steps."""
    flows = {row["id"]: row for row in flow_queries.flows(unit.conn)}
    for flow_id, row in flows.items():
        if row["enabled"]:
            _enrol(unit, flow_id, definition_of(row), row["scanned_until"])
    for run in flow_queries.due_runs(unit.conn, unit.now, BATCH):
        flow = flows.get(run["flow_id"])
        if flow is None or not flow["enabled"]:
            _end(unit, run, "exited", "flow_disabled")
        else:
            _work(runtime, unit, run, flow["id"], definition_of(flow))


def _enrol(unit: Unit, flow_id: str, flow: FlowDefinition, scanned: datetime | None) -> None:
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
        flow_queries.insert_run(
            unit.conn,
            {
                "id": unit.ids.new("run"),
                "flow_id": flow_id,
                "customer_id": customer_id,
                "cart_id": cart_id,
                "status": "active",
                "step": 0,
                "started_at": changed_at,
                "last_activity_at": changed_at,
                "due_at": due_at(changed_at, flow.steps[0]),
                "exit_reason": None,
                "updated_at": unit.now,
            },
        )
    if len(idle) < BATCH:
        flow_queries.set_scanned(unit.conn, flow_id, until)


def _end(unit: Unit, run: dict[str, Any], status: str, reason: str | None) -> None:
    flow_queries.move_run(
        unit.conn,
        run["id"],
        run["step"],
        status=status,
        exit_reason=reason,
        due_at=None,
        updated_at=unit.now,
    )


def _suppress(
    unit: Unit, run: dict[str, Any], command: SendMessage, reason: SuppressReason
) -> None:
    record(
        unit, command, Outcome(command.channel, None, reason), flow_run_id=run["id"], reason=reason
    )


def _out_of_stock(runtime: Runtime, conn: Connection, cart: dict[str, Any]) -> bool:
    selling = runtime.layout.locations_for(cart["channel"])
    for line in cart_queries.lines(conn, cart["id"]):
        available = inventory_queries.available_by_location(conn, line.sku)
        if sum(available.get(location, 0) for location in selling) < line.quantity:
            return True
    return False


def _work(
    runtime: Runtime, unit: Unit, run: dict[str, Any], flow_id: str, flow: FlowDefinition
) -> None:
    conn, step_no = unit.conn, run["step"]
    step = flow.steps[step_no]
    command = SendMessage(
        customer_id=run["customer_id"],
        channel=step.channels[0],
        body=message_body(step),
        kind=flow.trigger.value,
        campaign=flow.campaign or flow_id,
        subject=step.subject,
        cart_id=run["cart_id"],
    )
    cart = cart_queries.cart(conn, run["cart_id"])
    if flow_queries.bought_since(conn, run["customer_id"], run["started_at"]):
        _suppress(unit, run, command, SuppressReason.CONVERTED)
        return _end(unit, run, "converted", SuppressReason.CONVERTED.value)
    if cart is None or cart["status"] != "active":
        return _end(unit, run, "exited", "cart_closed")
    if cart["updated_at"] > run["last_activity_at"]:
        # The shopper came back to the cart: the step counts from their latest change.
        flow_queries.move_run(
            conn,
            run["id"],
            step_no,
            last_activity_at=cart["updated_at"],
            due_at=due_at(cart["updated_at"], step),
            updated_at=unit.now,
        )
        return None
    if not cart_queries.lines(conn, cart["id"]):
        _suppress(unit, run, command, SuppressReason.CART_EMPTY)
        return _end(unit, run, "exited", SuppressReason.CART_EMPTY.value)
    if _out_of_stock(runtime, conn, cart):
        _suppress(unit, run, command, SuppressReason.OUT_OF_STOCK)
        return _end(unit, run, "exited", SuppressReason.OUT_OF_STOCK.value)
    zone = messaging_queries.timezone(conn, run["customer_id"]) or DEFAULT_TIMEZONE
    morning = quiet_until(flow.quiet_hours, zone, unit.now)
    if morning is not None:
        flow_queries.move_run(conn, run["id"], step_no, due_at=morning, updated_at=unit.now)
        return None
    cap = flow.frequency_cap
    if cap is not None and (
        outbox_queries.sent_since(conn, run["customer_id"], unit.now - timedelta(hours=cap.hours))
        >= cap.messages
    ):
        _suppress(unit, run, command, SuppressReason.CAPPED)
    else:
        _send_through_chain(unit, run, command, step)
    return _next_step(unit, run, flow)


def _send_through_chain(
    unit: Unit, run: dict[str, Any], command: SendMessage, step: FlowStep
) -> None:
    """The first channel with consent and an address carries the message; every channel
    passed over is recorded as suppressed with its reason."""
    first: MessagingChannel = step.channels[0]
    for channel in step.channels:
        outcome = route(unit.conn, run["customer_id"], channel)
        attempt = msgspec.structs.replace(command, channel=channel)
        if outcome.reason is None:
            if channel is not first and outcome.fallback_from is None:
                outcome = Outcome(outcome.channel, outcome.recipient, None, first)
            record(unit, attempt, outcome, flow_run_id=run["id"])
            return
        record(unit, attempt, outcome, flow_run_id=run["id"])


def _next_step(unit: Unit, run: dict[str, Any], flow: FlowDefinition) -> None:
    following = run["step"] + 1
    if following >= len(flow.steps):
        flow_queries.move_run(
            unit.conn,
            run["id"],
            run["step"],
            status="completed",
            due_at=None,
            updated_at=unit.now,
        )
        return
    flow_queries.move_run(
        unit.conn,
        run["id"],
        run["step"],
        step=following,
        due_at=due_at(run["last_activity_at"], flow.steps[following]),
        updated_at=unit.now,
    )
