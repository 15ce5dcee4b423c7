"""Ringing up a sale: start or hand off a cart, scan, override a price, void a line or the sale.

A POS sale is an ordinary cart (the same rows every channel uses) tied to a register by a
``pos_sales`` row. Scanning takes nothing off the shelf yet: the goods are in the shopper's hands
at the counter, so stock is only checked against the register's own store here and is reserved
and consumed in one go when the sale is paid (see ``pos_payment``).
"""

from __future__ import annotations

from typing import Any

from omniloom.domain.carts import CartStatus, grown_line
from omniloom.domain.errors import (
    FieldError,
    InsufficientStock,
    InvalidInput,
    NotFound,
    UnknownBarcode,
    UnknownSku,
)
from omniloom.services.carts import cart as carts
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import (
    POS_CHANNEL,
    SaleView,
    open_shift_of,
    pos_price,
    register_at,
    sale_at,
    sale_view,
)
from omniloom.store import cart_queries, inventory_queries, pos_queries, ship_to_home_queries
from omniloom.store.cart_queries import CartLine


def new_sale(unit: Unit, register: dict[str, Any], cart_id: str, origin: str) -> dict[str, Any]:
    sale = {
        "cart_id": cart_id,
        "register_id": register["id"],
        "location_id": register["location_id"],
        "origin": origin,
        "status": "open",
        "shift_id": None,
        "order_id": None,
        "cash_tendered": 0,
        "change_given": 0,
        "opened_at": unit.now,
        "closed_at": None,
    }
    pos_queries.insert_sale(unit.conn, sale)
    return sale


def _check_customer(unit: Unit, customer_id: str | None) -> None:
    if customer_id is not None and pos_queries.customer(unit.conn, customer_id) is None:
        raise InvalidInput(
            f"There is no customer {customer_id!r}.",
            errors=[FieldError("customer_id", "unknown customer")],
        )


def start_sale(
    runtime: Runtime,
    unit: Unit,
    location_id: str | None,
    register_id: str,
    *,
    customer_id: str | None,
) -> SaleView:
    register = register_at(unit.conn, location_id, register_id)
    shift_id = open_shift_of(register)
    _check_customer(unit, customer_id)
    cart = carts.create_cart(runtime, unit, device_id=register_id, customer_id=customer_id)
    sale = new_sale(unit, register, cart.id, "register")
    unit.emit(
        "pos.sale_started",
        cart_id=cart.id,
        customer_id=customer_id,
        register_id=register_id,
        shift_id=shift_id,
    )
    return sale_view(runtime, unit.conn, sale)


def scan(
    runtime: Runtime,
    unit: Unit,
    location_id: str | None,
    cart_id: str,
    *,
    barcode: str,
    quantity: int,
) -> SaleView:
    sku = pos_queries.sku_for_barcode(unit.conn, barcode)
    if sku is None:
        raise UnknownBarcode(
            f"No item has barcode {barcode!r}.",
            errors=[FieldError("barcode", "unknown barcode")],
        )
    sale = sale_at(unit.conn, location_id, cart_id)
    open_shift_of(register_at(unit.conn, location_id, sale["register_id"]))
    cart = carts.begin_change(unit, cart_id, None)
    product = runtime.catalog.product_of_sku(unit.conn, sku)
    if product is None or not product.sold_on(POS_CHANNEL):
        raise UnknownSku(
            f"SKU {sku} is not sold in stores.", errors=[FieldError("barcode", "not sold in store")]
        )
    lines = cart_queries.lines(unit.conn, cart_id)
    line = next((line for line in lines if line.sku == sku), None)
    total = grown_line({line.sku: line.quantity for line in lines}, sku, quantity)
    available = inventory_queries.available_at(unit.conn, sku, sale["location_id"])
    if total > available:
        raise InsufficientStock(
            f"Only {available} of {sku} on the shelf at this store; {total} scanned.",
            errors=[FieldError("quantity", f"at most {available} available at this store")],
            extra={"sku": sku, "available": available},
        )
    if line is None:
        cart_queries.insert_line(
            unit.conn,
            line_id=unit.ids.new("line"),
            cart_id=cart_id,
            sku=sku,
            quantity=total,
            now=unit.now,
        )
    else:
        cart_queries.set_line_quantity(unit.conn, line.id, total)
    unit.emit(
        "cart.item_added",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        sku=sku,
        quantity=quantity,
        barcode=barcode,
        register_id=sale["register_id"],
    )
    return sale_view(runtime, unit.conn, sale)


def attach_customer(
    runtime: Runtime, unit: Unit, location_id: str | None, cart_id: str, *, customer_id: str
) -> SaleView:
    sale = sale_at(unit.conn, location_id, cart_id)
    carts.begin_change(unit, cart_id, None)
    _check_customer(unit, customer_id)
    cart_queries.set_customer(unit.conn, cart_id, customer_id)
    unit.emit(
        "pos.customer_attached",
        cart_id=cart_id,
        customer_id=customer_id,
        register_id=sale["register_id"],
    )
    return sale_view(runtime, unit.conn, sale)


def _line(unit: Unit, cart_id: str, line_id: str) -> CartLine:
    for line in cart_queries.lines(unit.conn, cart_id):
        if line.id == line_id:
            return line
    raise NotFound(f"Sale {cart_id!r} has no line {line_id!r}.")


def override_price(
    runtime: Runtime,
    unit: Unit,
    location_id: str | None,
    cart_id: str,
    line_id: str,
    *,
    unit_price: int,
    reason_code: str,
    associate_id: str | None,
) -> SaleView:
    sale = sale_at(unit.conn, location_id, cart_id)
    cart = carts.begin_change(unit, cart_id, None)
    _, sku, _, _, _ = _line(unit, cart_id, line_id)
    original = pos_price(runtime, unit.conn, sku)
    pos_queries.put_override(
        unit.conn,
        {
            "cart_id": cart_id,
            "sku": sku,
            "unit_price": unit_price,
            "original_price": original,
            "reason_code": reason_code,
            "associate_id": associate_id,
            "created_at": unit.now,
        },
    )
    # The audit trail: who changed which price, from what, to what, and why.
    unit.emit(
        "pos.price_overridden",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        register_id=sale["register_id"],
        line_id=line_id,
        sku=sku,
        original_price=original,
        unit_price=unit_price,
        reason_code=reason_code,
        associate_id=associate_id,
    )
    return sale_view(runtime, unit.conn, sale)


def void_line(
    runtime: Runtime, unit: Unit, location_id: str | None, cart_id: str, line_id: str
) -> SaleView:
    sale = sale_at(unit.conn, location_id, cart_id)
    _, sku, quantity, _, _ = _line(unit, cart_id, line_id)
    cart = carts.remove_line(runtime, unit, cart_id, line_id, expected_version=None)
    pos_queries.delete_override(unit.conn, cart_id, sku)
    unit.emit(
        "pos.line_voided",
        cart_id=cart_id,
        customer_id=cart.customer_id,
        register_id=sale["register_id"],
        line_id=line_id,
        sku=sku,
        quantity=quantity,
    )
    return sale_view(runtime, unit.conn, sale)


def void_sale(
    runtime: Runtime, unit: Unit, location_id: str | None, cart_id: str, *, reason: str | None
) -> SaleView:
    """Abandon an unpaid sale; its cart closes with it (paid sales are returned, not voided).

    A cart handed to the till may still be checked out in the app; its sale then has nothing
    left to ring up, and voiding it closes the sale and leaves the cart as the app left it.
    """
    sale_at(unit.conn, location_id, cart_id)
    current = cart_queries.cart(unit.conn, cart_id)
    if current is not None and current["status"] != CartStatus.ACTIVE:
        cart = current
    else:
        cart = carts.begin_change(unit, cart_id, None)
        stock.release_cart_holds(unit, cart_id)
        cart_queries.set_status(unit.conn, cart_id, CartStatus.ABANDONED)
    pos_queries.close_sale(unit.conn, cart_id, status="voided", now=unit.now)
    delivery = ship_to_home_queries.of_sale(unit.conn, cart_id)
    if delivery is not None:
        # What the sale was to ship home (endless aisle) is dropped with it.
        cart_queries.set_status(unit.conn, delivery["ship_cart_id"], CartStatus.ABANDONED)
    sale = sale_at(unit.conn, location_id, cart_id, open_only=False)
    unit.emit(
        "pos.sale_voided",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        register_id=sale["register_id"],
        reason=reason,
    )
    return sale_view(runtime, unit.conn, sale)
