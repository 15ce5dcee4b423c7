"""The re-check before each step: is the message still wanted, now, by this shopper?

Events arrive late and out of order and shoppers buy on several carts and in stores, so
nothing is taken from the moment a run started: the world is read again before each send.
The exit rules per trigger are data (:data:`omniloom.domain.flows.EXITS`); this module gathers
the facts they need, and the cart's own checks (closed, emptied, out of stock, changed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.flows import EXITS, Facts, FlowDefinition, Trigger, exit_reason, run_status
from omniloom.domain.messaging import SuppressReason
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import cart_queries, flow_queries, inventory_queries


class Wait(msgspec.Struct, frozen=True):
    """The shopper was active again: the step counts from ``activity_at``."""

    activity_at: datetime


class Exit(msgspec.Struct, frozen=True):
    status: str
    reason: str
    # Recorded in the outbox as the message that was not sent, when set.
    suppressed: SuppressReason | None


def _exit(reason: SuppressReason) -> Exit:
    return Exit(run_status(reason), reason.value, reason)


def recheck(
    runtime: Runtime, conn: Connection, run: dict[str, Any], flow: FlowDefinition
) -> Wait | Exit | None:
    """What stops or delays this run's due step; None when it may be sent."""
    trigger = flow.trigger
    customer_id, since = run["customer_id"], run["started_at"]
    wanted = set(EXITS[trigger])
    state = flow_queries.order_state(conn, run["order_id"]) if run["order_id"] else None
    facts = Facts(
        bought=SuppressReason.CONVERTED in wanted
        and flow_queries.bought_since(conn, customer_id, since),
        carted=SuppressReason.ADDED_TO_CART in wanted
        and flow_queries.carted_since(conn, customer_id, since),
        cancelled=state is not None and state[0] == "cancelled",
        returned=state is not None and state[2],
    )
    reason = exit_reason(trigger, facts)
    if reason is not None:
        return _exit(reason)
    if trigger is Trigger.CART_ABANDONED:
        return _cart_check(runtime, conn, run)
    if trigger is Trigger.BROWSE_ABANDONED:
        viewed = flow_queries.latest_view(conn, customer_id, since)
        if viewed is not None and viewed[0] > run["last_activity_at"]:
            return Wait(viewed[0])
    return None


def _cart_check(runtime: Runtime, conn: Connection, run: dict[str, Any]) -> Wait | Exit | None:
    cart = cart_queries.cart(conn, run["cart_id"])
    if cart is None or cart["status"] != "active":
        return Exit("exited", "cart_closed", None)
    if cart["updated_at"] > run["last_activity_at"]:
        return Wait(cart["updated_at"])
    if not cart_queries.lines(conn, cart["id"]):
        return _exit(SuppressReason.CART_EMPTY)
    if _out_of_stock(runtime, conn, cart):
        return _exit(SuppressReason.OUT_OF_STOCK)
    return None


def _out_of_stock(runtime: Runtime, conn: Connection, cart: dict[str, Any]) -> bool:
    selling = runtime.layout.locations_for(cart["channel"])
    for line in cart_queries.lines(conn, cart["id"]):
        available = inventory_queries.available_by_location(conn, line.sku)
        if sum(available.get(location, 0) for location in selling) < line.quantity:
            return True
    return False


def product_of(conn: Connection, run: dict[str, Any], trigger: Trigger) -> str | None:
    """The product the message shows (its tracked link opens it): the last one browsed, or one
    of the order's. Abandoned carts link to the cart instead."""
    if trigger is Trigger.BROWSE_ABANDONED:
        viewed = flow_queries.latest_view(conn, run["customer_id"], run["started_at"])
        return None if viewed is None else viewed[1]
    if run["order_id"] and trigger is not Trigger.CART_ABANDONED:
        return flow_queries.order_product(conn, run["order_id"])
    return None
