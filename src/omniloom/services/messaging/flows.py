"""Automation flows as data: defined, changed and listed by an operator; the demo store's flows."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.domain.flows import (
    FlowDefinition,
    FlowStep,
    FrequencyCap,
    QuietHours,
    Trigger,
    step_delays_problem,
)
from omniloom.domain.messaging import MessagingChannel
from omniloom.services.kernel.unit import Unit
from omniloom.store import flow_queries

_FLOW_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


class FlowView(msgspec.Struct, frozen=True):
    id: str
    definition: FlowDefinition
    updated_at: datetime


class FlowList(msgspec.Struct, frozen=True):
    items: list[FlowView]


class RunView(msgspec.Struct, frozen=True):
    id: str
    flow_id: str
    customer_id: str
    # The abandoned cart, or the order followed up (null for browsing, and returns without one).
    cart_id: str | None
    order_id: str | None
    # active, completed (every step done), converted (the shopper bought), exited (cart
    # emptied or closed, items out of stock, added to a cart after browsing, the order
    # cancelled or returned, flow switched off).
    status: str
    # The step that is due next (or was last worked on).
    step: int
    started_at: datetime
    last_activity_at: datetime
    due_at: datetime | None
    exit_reason: str | None


class RunList(msgspec.Struct, frozen=True):
    items: list[RunView]


def definition_of(row: dict[str, Any]) -> FlowDefinition:
    return msgspec.convert(row["definition"], FlowDefinition)


def _view(row: dict[str, Any]) -> FlowView:
    return FlowView(row["id"], definition_of(row), row["updated_at"])


def _checked_id(flow_id: str) -> str:
    if not _FLOW_ID.match(flow_id):
        raise InvalidInput(
            "A flow id is 1 to 80 lower-case letters, digits, - or _.",
            errors=[FieldError("flow_id", "not a flow id")],
        )
    return flow_id


def store_flow(conn: Connection, flow_id: str, flow: FlowDefinition, now: datetime) -> None:
    wrong = step_delays_problem(flow)
    if wrong is not None:
        raise InvalidInput(
            "Steps come in time order: each delay at least the one before.",
            errors=[FieldError(wrong, "earlier than the step before")],
        )
    before = flow_queries.flow(conn, flow_id)
    cursor: dict[str, Any] = {}
    if before is None or definition_of(before).trigger is not flow.trigger:
        # A new trigger starts from now: events already in the log (orders placed, views)
        # do not set off messages about the past; idle carts are looked for as before.
        cursor = {"scanned_until": None, "scanned_seq": flow_queries.last_seq(conn)}
    flow_queries.put_flow(conn, flow_id, msgspec.to_builtins(flow), flow.enabled, now, **cursor)


def put_flow(unit: Unit, flow_id: str, flow: FlowDefinition) -> FlowView:
    store_flow(unit.conn, _checked_id(flow_id), flow, unit.now)
    unit.emit("messaging.flow_defined", flow_id=flow_id, enabled=flow.enabled)
    return get_flow(unit.conn, flow_id)


def store_checked(conn: Connection, flow_id: str, flow: FlowDefinition, now: datetime) -> None:
    """Define or change a flow named by an operator (``omniloom flows load``)."""
    store_flow(conn, _checked_id(flow_id), flow, now)


def get_flow(conn: Connection, flow_id: str) -> FlowView:
    row = flow_queries.flow(conn, flow_id)
    if row is None:
        raise NotFound(f"There is no flow {flow_id!r}.")
    return _view(row)


def list_flows(conn: Connection) -> FlowList:
    return FlowList([_view(row) for row in flow_queries.flows(conn)])


def list_runs(
    conn: Connection,
    *,
    flow_id: str | None = None,
    customer_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> RunList:
    rows = flow_queries.runs(
        conn, flow_id=flow_id, customer_id=customer_id, status=status, limit=limit
    )
    return RunList([RunView(**{f: row[f] for f in RunView.__struct_fields__}) for row in rows])


_CHAIN = [MessagingChannel.PUSH, MessagingChannel.RCS, MessagingChannel.SMS, MessagingChannel.EMAIL]
DEMO_FLOWS = {
    "abandoned-cart": FlowDefinition(
        name="Abandoned cart: a reminder after 4 h, a code after 24 h",
        trigger=Trigger.CART_ABANDONED,
        campaign="abandoned-cart",
        steps=[
            FlowStep(240, _CHAIN, "You left something in your cart: {link}"),
            FlowStep(
                1440,
                [MessagingChannel.EMAIL, MessagingChannel.SMS],
                "Still yours, and {code} takes 10% off: {link}",
                subject="Your cart is waiting",
                code="COMEBACK10",
            ),
        ],
        frequency_cap=FrequencyCap(messages=3, hours=24),
        quiet_hours=QuietHours(start="21:00", end="08:00"),
    ),
    "browse-abandoned": FlowDefinition(
        name="Browse abandonment: retargeted on social 2 h after the last product viewed",
        trigger=Trigger.BROWSE_ABANDONED,
        campaign="browse-retargeting",
        # Membership of the retargeting audience, showing the last product viewed.
        steps=[FlowStep(120, [MessagingChannel.SOCIAL], "Still thinking about it? {link}")],
        frequency_cap=FrequencyCap(messages=3, hours=24),
    ),
    "review-request": FlowDefinition(
        name="After a click-and-collect pickup: asking for a review 3 days later",
        trigger=Trigger.ORDER_PICKED_UP,
        campaign="review-request",
        steps=[
            FlowStep(
                3 * 1440,
                [MessagingChannel.EMAIL, MessagingChannel.PUSH, MessagingChannel.SMS],
                "How do you like it? Rate it and tell other shoppers: {link}",
                subject="How was your order?",
            )
        ],
        frequency_cap=FrequencyCap(messages=3, hours=24),
        quiet_hours=QuietHours(start="21:00", end="08:00"),
    ),
}


def install_demo_flows(conn: Connection, now: datetime) -> int:
    """The demo store's flows (``omniloom seed`` calls this); returns how many."""
    for flow_id, flow in DEMO_FLOWS.items():
        store_flow(conn, flow_id, flow, now)
    return len(DEMO_FLOWS)
