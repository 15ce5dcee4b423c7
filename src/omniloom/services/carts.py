"""Cart use cases, shared by every channel: create, read, add, change and remove lines.

Every change bumps the cart's version first. A client that sends the version it last saw
(``If-Match``) gets a conflict instead of silently overwriting another device's change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from omniloom.domain.carts import MAX_CART_LINES, MAX_LINE_QUANTITY, CartStatus, ReservationPolicy
from omniloom.domain.errors import (
    CartFull,
    CartNotActive,
    CartVersionConflict,
    FieldError,
    InsufficientStock,
    InvalidInput,
    NotFound,
    UnknownSku,
)
from omniloom.services import stock
from omniloom.services.runtime import Runtime
from omniloom.services.unit import Unit
from omniloom.services.views import CartLineView, CartView
from omniloom.store import cart_queries, catalog_queries, inventory_queries

DEFAULT_CURRENCY = "USD"


def load_cart_view(conn: Connection, cart_id: str) -> CartView:
    cart = cart_queries.cart(conn, cart_id)
    if cart is None:
        raise NotFound(f"There is no cart {cart_id!r}.")
    lines = cart_queries.lines(conn, cart_id)
    prices = cart_queries.unit_prices(conn, [line["sku"] for line in lines], cart["channel"])
    line_views = [
        CartLineView(
            id=line["id"],
            sku=line["sku"],
            product_id=line["product_id"],
            title=line["title"],
            quantity=line["quantity"],
            unit_price=prices[line["sku"]],
            line_total=prices[line["sku"]] * line["quantity"],
        )
        for line in lines
    ]
    return CartView(
        id=cart["id"],
        status=cart["status"],
        channel=cart["channel"],
        device_id=cart["device_id"],
        customer_id=cart["customer_id"],
        currency=cart["currency"],
        version=cart["version"],
        lines=line_views,
        item_count=sum(line.quantity for line in line_views),
        subtotal=sum(line.line_total for line in line_views),
        created_at=cart["created_at"],
        updated_at=cart["updated_at"],
    )


def create_cart(unit: Unit, *, device_id: str | None, customer_id: str | None) -> CartView:
    cart_id = unit.ids.new("cart")
    cart_queries.insert_cart(
        unit.conn,
        {
            "id": cart_id,
            "channel": unit.channel,
            "device_id": device_id,
            "customer_id": customer_id,
            "status": CartStatus.ACTIVE,
            "currency": DEFAULT_CURRENCY,
            "version": 1,
            "created_at": unit.now,
            "updated_at": unit.now,
        },
    )
    unit.emit("cart.created", cart_id=cart_id, customer_id=customer_id, device_id=device_id)
    return load_cart_view(unit.conn, cart_id)


async def get_cart(runtime: Runtime, cart_id: str) -> CartView:
    return await runtime.read(lambda conn: load_cart_view(conn, cart_id))


def begin_change(unit: Unit, cart_id: str, expected_version: int | None) -> str | None:
    """Lock and version-bump an active cart, or raise; returns the cart's customer id."""
    bumped = cart_queries.bump_version(unit.conn, cart_id, unit.now)
    if bumped is None:
        raise NotFound(f"There is no cart {cart_id!r}.")
    version, status, customer_id = bumped
    if expected_version is not None and version - 1 != expected_version:
        raise CartVersionConflict(
            f"The cart is at version {version - 1}, not {expected_version}; "
            "read it again and retry.",
            extra={"current_version": version - 1},
        )
    if status != CartStatus.ACTIVE:
        raise CartNotActive(f"The cart is {status} and can no longer change.")
    return customer_id


def _check_sellable(unit: Unit, sku: str) -> None:
    channel = unit.channel
    if not cart_queries.sku_exists(unit.conn, sku):
        raise UnknownSku(f"There is no SKU {sku!r}.", errors=[FieldError("sku", "unknown SKU")])
    if not catalog_queries.sku_visible(unit.conn, sku, channel):
        raise UnknownSku(
            f"SKU {sku!r} is not sold on the {channel} channel.",
            errors=[FieldError("sku", f"not sold on {channel}")],
        )


def _hold_stock(runtime: Runtime, unit: Unit, cart_id: str, sku: str, quantity: int) -> None:
    """Make sure ``quantity`` of ``sku`` can be sold, holding it when the policy says so."""
    locations = runtime.layout.locations_for(unit.channel)
    if runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
        stock.release_cart_holds(unit, cart_id, sku)
        if quantity:
            stock.hold_for_cart(
                unit, cart_id, sku, quantity, locations, unit.now + runtime.settings.reservation_ttl
            )
        return
    available = inventory_queries.available_by_location(unit.conn, sku)
    sellable = sum(available.get(location, 0) for location in locations)
    if quantity > sellable:
        raise InsufficientStock(
            f"Only {sellable} of {sku} can be sold on this channel; {quantity} requested.",
            errors=[FieldError("quantity", f"at most {sellable} available")],
            extra={"sku": sku, "available": sellable},
        )


def add_line(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    *,
    sku: str,
    quantity: int,
    expected_version: int | None,
) -> CartView:
    customer_id = begin_change(unit, cart_id, expected_version)
    _check_sellable(unit, sku)
    existing = cart_queries.line_for_sku(unit.conn, cart_id, sku)
    if existing is None:
        if cart_queries.count_lines(unit.conn, cart_id) >= MAX_CART_LINES:
            raise CartFull(f"A cart holds at most {MAX_CART_LINES} lines.")
        total = quantity
    else:
        total = existing.quantity + quantity
    if total > MAX_LINE_QUANTITY:
        raise InvalidInput(
            f"A line holds at most {MAX_LINE_QUANTITY} units; this would make {total}.",
            errors=[FieldError("quantity", f"line would exceed {MAX_LINE_QUANTITY} units")],
        )
    _hold_stock(runtime, unit, cart_id, sku, total)
    if existing is None:
        cart_queries.insert_line(
            unit.conn,
            line_id=unit.ids.new("line"),
            cart_id=cart_id,
            sku=sku,
            quantity=quantity,
            now=unit.now,
        )
    else:
        cart_queries.set_line_quantity(unit.conn, existing.id, total)
    unit.emit(
        "cart.item_added", cart_id=cart_id, customer_id=customer_id, sku=sku, quantity=quantity
    )
    return load_cart_view(unit.conn, cart_id)


def change_line(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    line_id: str,
    *,
    quantity: int,
    expected_version: int | None,
) -> CartView:
    customer_id = begin_change(unit, cart_id, expected_version)
    line = _line(unit, cart_id, line_id)
    _hold_stock(runtime, unit, cart_id, line.sku, quantity)
    cart_queries.set_line_quantity(unit.conn, line_id, quantity)
    unit.emit(
        "cart.item_changed",
        cart_id=cart_id,
        customer_id=customer_id,
        sku=line.sku,
        quantity=quantity,
        previous_quantity=line.quantity,
    )
    return load_cart_view(unit.conn, cart_id)


def remove_line(
    runtime: Runtime, unit: Unit, cart_id: str, line_id: str, *, expected_version: int | None
) -> CartView:
    customer_id = begin_change(unit, cart_id, expected_version)
    line = _line(unit, cart_id, line_id)
    if runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
        stock.release_cart_holds(unit, cart_id, line.sku)
    cart_queries.delete_line(unit.conn, line_id)
    unit.emit(
        "cart.item_removed",
        cart_id=cart_id,
        customer_id=customer_id,
        sku=line.sku,
        quantity=line.quantity,
    )
    return load_cart_view(unit.conn, cart_id)


def _line(unit: Unit, cart_id: str, line_id: str) -> Any:
    line = cart_queries.line_by_id(unit.conn, cart_id, line_id)
    if line is None:
        raise NotFound(f"Cart {cart_id!r} has no line {line_id!r}.")
    return line
