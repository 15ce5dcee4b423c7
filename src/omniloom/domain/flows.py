"""Automation flows as data: a trigger, timed steps with a channel chain, caps and quiet hours.

A flow is written as JSON (or YAML turned into JSON) and validated here, so a malformed flow is
refused with the field at fault before anything is stored.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec

from omniloom.domain.messaging import MessagingChannel, SuppressReason


class Trigger(StrEnum):
    # A signed-in shopper's cart with items, untouched for the first step's delay.
    CART_ABANDONED = "cart_abandoned"
    # A known shopper viewed products, then for the delay neither viewed more, added to a
    # cart nor bought.
    BROWSE_ABANDONED = "browse_abandoned"
    # An order placed by a known customer, on any channel (a sale at a till too).
    ORDER_PLACED = "order_placed"
    # A click-and-collect order collected at the store (not a sale at a till).
    ORDER_PICKED_UP = "order_picked_up"
    # A return taken, with or without a receipt.
    RETURN_MADE = "return_made"


# The events that start a run, per trigger; abandoned carts are found by their idleness.
STARTING_EVENTS: dict[Trigger, tuple[str, ...]] = {
    Trigger.BROWSE_ABANDONED: ("catalog.product_viewed",),
    Trigger.ORDER_PLACED: ("order.placed",),
    Trigger.ORDER_PICKED_UP: ("order.picked_up",),
    Trigger.RETURN_MADE: ("order.returned", "return.without_receipt"),
}

# What ends a run before each send, checked in this order (the cart's own state, its items'
# stock and a return to the cart are checked besides, for abandoned carts).
EXITS: dict[Trigger, tuple[SuppressReason, ...]] = {
    Trigger.CART_ABANDONED: (SuppressReason.CONVERTED,),
    Trigger.BROWSE_ABANDONED: (SuppressReason.CONVERTED, SuppressReason.ADDED_TO_CART),
    Trigger.ORDER_PLACED: (SuppressReason.CANCELLED, SuppressReason.RETURNED),
    Trigger.ORDER_PICKED_UP: (SuppressReason.CANCELLED, SuppressReason.RETURNED),
    Trigger.RETURN_MADE: (SuppressReason.CONVERTED,),
}


class Facts(msgspec.Struct, frozen=True):
    """What happened since a run started, as far as its exits care."""

    # The customer placed an order (any channel, any cart).
    bought: bool = False
    # The customer added something to a cart.
    carted: bool = False
    # The run's order was cancelled, or (partly) returned.
    cancelled: bool = False
    returned: bool = False


def exit_reason(trigger: Trigger, facts: Facts) -> SuppressReason | None:
    """Why a run must end instead of sending its next step, or None to go on."""
    happened = {
        SuppressReason.CONVERTED: facts.bought,
        SuppressReason.ADDED_TO_CART: facts.carted,
        SuppressReason.CANCELLED: facts.cancelled,
        SuppressReason.RETURNED: facts.returned,
    }
    return next((reason for reason in EXITS[trigger] if happened[reason]), None)


def run_status(reason: SuppressReason) -> str:
    """How a run that ended for ``reason`` is shown: a purchase converts, the rest exit."""
    return "converted" if reason is SuppressReason.CONVERTED else "exited"


Minutes = Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 90)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:\-]+$")]


class FlowStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # Minutes after the moment the run counts from that this step is due: the shopper's last
    # activity (the cart's last change, the last product viewed), or the order, pickup or return.
    delay_minutes: Minutes
    # Tried in order: the first channel with consent and an address carries the message.
    channels: Annotated[list[MessagingChannel], msgspec.Meta(min_length=1, max_length=5)]
    body: Body
    subject: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    # A promotion code offered in this step ({code} in the body is replaced with it).
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] | None = None


class FrequencyCap(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """At most ``messages`` to one shopper (from any flow or operator) within ``hours``."""

    messages: Annotated[int, msgspec.Meta(ge=1, le=100)]
    hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 30)]


class QuietHours(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Local times (the shopper's zone) between which nothing is sent; may span midnight."""

    start: ClockTime
    end: ClockTime


class FlowDefinition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    trigger: Trigger
    steps: Annotated[list[FlowStep], msgspec.Meta(min_length=1, max_length=10)]
    campaign: Name | None = None
    frequency_cap: FrequencyCap | None = None
    quiet_hours: QuietHours | None = None
    enabled: bool = True


def step_delays_problem(flow: FlowDefinition) -> str | None:
    """Steps must come in time order; the field at fault otherwise."""
    for index in range(1, len(flow.steps)):
        if flow.steps[index].delay_minutes < flow.steps[index - 1].delay_minutes:
            return f"steps[{index}].delay_minutes"
    return None


def due_at(last_activity: datetime, step: FlowStep) -> datetime:
    return last_activity + timedelta(minutes=step.delay_minutes)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(quiet: QuietHours | None, zone: str, now: datetime) -> datetime | None:
    """When the quiet hours that ``now`` falls in end (in UTC), or None outside them."""
    if quiet is None:
        return None
    local = now.astimezone(ZoneInfo(zone))
    start, end = _clock(quiet.start), _clock(quiet.end)
    at = local.time()
    inside = start <= at < end if start <= end else (at >= start or at < end)
    if not inside:
        return None
    ending = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if ending <= local:
        ending = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=local.tzinfo)
    return ending.astimezone(now.tzinfo)


def message_body(step: FlowStep) -> str:
    """The step's text with its code filled in (the link is filled in when it is made)."""
    return step.body.replace("{code}", step.code or "")
