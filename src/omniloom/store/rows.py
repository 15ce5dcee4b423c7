"""The rows services build and hand to the store to write: named keys, checked by mypy.

TypedDicts are plain dicts at run time, so naming these rows costs nothing on the hot paths
(checkout, the till, every unit's events) while a misspelt or missing column is caught before
the code runs. Rows read back from the database stay mappings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict


class OrderRow(TypedDict):
    id: str
    cart_id: str
    customer_id: str | None
    channel: str
    status: str
    currency: str
    subtotal: int
    tax: int
    shipping: int
    total: int
    fulfilment: str
    location_id: str | None
    ship_to: dict[str, Any] | None
    email: str | None
    placed_at: datetime
    updated_at: datetime
    routing: NotRequired[dict[str, Any]]  # how a shipped order was routed, when it was


class OrderLineRow(TypedDict):
    id: str
    order_id: str
    sku: str
    title: str
    quantity: int
    unit_price: int
    line_total: int
    tax: int
    location_id: str
    discount: int
    promotion_id: str | None


class PaymentRow(TypedDict):
    id: str
    order_id: str
    method: str
    card_brand: str | None
    card_last4: str | None
    amount: int
    currency: str
    status: str
    created_at: datetime


class EventRow(TypedDict):
    """One event as a unit buffers it; ``seq`` is given by the database on append."""

    id: str
    type: str
    occurred_at: datetime
    channel: str
    customer_id: str | None
    cart_id: str | None
    order_id: str | None
    data: dict[str, Any]
    device_id: str | None
    session_id: str | None
    product_id: str | None
    sku: str | None
    location_id: str | None
    value: int | None
    campaign: dict[str, str] | None
    consent: dict[str, bool] | None
