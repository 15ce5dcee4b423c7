"""What the services hand back: msgspec Structs built from rows, never the rows themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class Price(msgspec.Struct, frozen=True):
    amount: int
    currency: str
    compare_at: int | None = None


class LocationStock(msgspec.Struct, frozen=True):
    location_id: str
    name: str
    kind: str
    city: str
    available: int
    pickup_enabled: bool


class SkuView(msgspec.Struct, frozen=True):
    sku: str
    barcode: str
    title: str
    attributes: dict[str, Any]
    price: Price
    available: int
    stock: list[LocationStock]


class ProductView(msgspec.Struct, frozen=True):
    id: str
    slug: str
    title: str
    description: str
    brand: str
    category_id: str
    attributes: dict[str, Any]
    image_urls: list[str]
    skus: list[SkuView]
    available: int


class ProductSummary(msgspec.Struct, frozen=True):
    id: str
    slug: str
    title: str
    brand: str
    category_id: str
    image_url: str | None
    price_from: int | None
    currency: str


class Page(msgspec.Struct, frozen=True):
    items: list[Any]
    next_cursor: str | None


class CategoryView(msgspec.Struct, frozen=True):
    id: str
    slug: str
    name: str
    parent_id: str | None


class CartLineView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    product_id: str
    title: str
    quantity: int
    unit_price: int
    line_total: int  # after the discount
    discount: int = 0
    promotion_id: str | None = None


class CartView(msgspec.Struct, frozen=True):
    id: str
    status: str
    channel: str
    device_id: str | None
    customer_id: str | None
    currency: str
    version: int
    lines: list[CartLineView]
    item_count: int
    subtotal: int
    created_at: datetime
    updated_at: datetime
    # The cart's secret (X-Cart-Token): whoever holds it may read, change and check out the cart.
    cart_token: str | None = None


class OrderLineView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    title: str
    quantity: int
    unit_price: int
    line_total: int  # after the discount; tax is on this
    tax: int
    location_id: str
    discount: int = 0
    promotion_id: str | None = None


class PaymentView(msgspec.Struct, frozen=True):
    id: str
    method: str
    amount: int
    currency: str
    status: str
    card_brand: str | None
    card_last4: str | None


class OrderView(msgspec.Struct, frozen=True):
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
    lines: list[OrderLineView]
    payments: list[PaymentView]
    placed_at: datetime
    updated_at: datetime
    # Shipped orders: the routing rule that chose each line's location, and how the ship-to
    # address was located ({"rule": …, "located_by": …}).
    routing: dict[str, Any] | None = None
    # The order's secret (X-Order-Token): reads the order and returns from it, signed in or not.
    order_token: str | None = None
