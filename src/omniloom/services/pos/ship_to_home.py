"""Endless aisle: the till orders what this store lacks, for delivery to the shopper's home.

The item is added to the sale by SKU with an address, not scanned: it is not on this store's
shelf and nothing is taken off it. Its lines live in a cart of their own tied to the sale, which
becomes a second, shipped order when the sale is paid (``pos_ship_order``). One delivery per
sale: the address given last applies to every ship-to-home line. Stock is checked here against
the locations the order will ship from, and reserved only at payment, like a scan.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.carts import CartStatus, grown_line
from omniloom.domain.errors import FieldError, InsufficientStock, NotFound, UnknownSku
from omniloom.services.carts import cart as carts
from omniloom.services.checkout.cart_checkout import stored_address
from omniloom.services.checkout.commands import ShipToHome
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import CartLineView
from omniloom.services.pos.common import POS_CHANNEL, open_shift_of, register_at, sale_at
from omniloom.store import cart_queries, ship_to_home_queries

# The till ships from where the online shop ships from (the DC first, then its stores).
SHIPS_LIKE = "web"


class ShipToHomeView(msgspec.Struct, frozen=True):
    """What a sale will ship home; tax and the shipping location are settled when it is paid."""

    cart_id: str  # the sale's cart
    ship_to: dict[str, Any]
    lines: list[CartLineView]  # priced as the till prices them
    subtotal: int
    shipping: int = 0  # delivery of an endless-aisle order is free


def ship_from(runtime: Runtime) -> list[str]:
    return runtime.layout.locations_for(SHIPS_LIKE)


def add(
    runtime: Runtime, unit: Unit, location_id: str | None, cart_id: str, command: ShipToHome
) -> ShipToHomeView:
    sale = sale_at(unit.conn, location_id, cart_id)
    open_shift_of(register_at(unit.conn, location_id, sale["register_id"]))
    cart = carts.begin_change(unit, cart_id, None)
    product = runtime.catalog.product_of_sku(unit.conn, command.sku)
    if product is None or not product.sold_on(POS_CHANNEL):
        raise UnknownSku(
            f"SKU {command.sku!r} is not sold in stores.",
            errors=[FieldError("sku", "unknown SKU or not sold in stores")],
        )
    ship_to = stored_address(command.address)
    link = ship_to_home_queries.of_sale(unit.conn, cart_id)
    if link is None:
        ship_cart_id = _open_ship_cart(unit, cart["currency"])
        ship_to_home_queries.insert(unit.conn, cart_id, ship_cart_id, ship_to, unit.now)
    else:
        ship_cart_id = link["ship_cart_id"]
        ship_to_home_queries.set_address(unit.conn, cart_id, ship_to)
    rows = cart_queries.lines(unit.conn, ship_cart_id)
    line_ids = {line.sku: line.id for line in rows}
    total = grown_line({line.sku: line.quantity for line in rows}, command.sku, command.quantity)
    _check_stock(runtime, unit.conn, command.sku, total)
    if command.sku in line_ids:
        cart_queries.set_line_quantity(unit.conn, line_ids[command.sku], total)
    else:
        cart_queries.insert_line(
            unit.conn,
            line_id=unit.ids.new("line"),
            cart_id=ship_cart_id,
            sku=command.sku,
            quantity=total,
            now=unit.now,
        )
    unit.emit(
        "pos.ship_to_home_added",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        sku=command.sku,
        quantity=command.quantity,
        register_id=sale["register_id"],
    )
    found = ship_to_home_view(runtime, unit.conn, cart_id)
    assert found is not None  # a line was just added
    return found


def void_line(
    runtime: Runtime, unit: Unit, location_id: str | None, cart_id: str, line_id: str
) -> ShipToHomeView:
    """Take a line off what the sale ships home (the shopper changed their mind)."""
    sale = sale_at(unit.conn, location_id, cart_id)
    carts.begin_change(unit, cart_id, None)  # the sale's version moves, as for any change to it
    link = ship_to_home_queries.of_sale(unit.conn, cart_id)
    lines = [] if link is None else cart_queries.lines(unit.conn, link["ship_cart_id"])
    found = next((line for line in lines if line.id == line_id), None)
    if link is None or found is None:
        raise NotFound(f"Sale {cart_id!r} ships no line {line_id!r} home.")
    cart_queries.delete_line(unit.conn, line_id)
    unit.emit(
        "pos.ship_to_home_voided",
        cart_id=cart_id,
        register_id=sale["register_id"],
        line_id=line_id,
        sku=found[1],
        quantity=found[2],
    )
    view = ship_to_home_view(runtime, unit.conn, cart_id)
    assert view is not None  # the link stays, with fewer lines
    return view


async def shipping_home(runtime: Runtime, location_id: str | None, cart_id: str) -> ShipToHomeView:
    """What a sale of this store ships home; 404 when it ships nothing."""

    def read(conn: Connection) -> ShipToHomeView:
        sale_at(conn, location_id, cart_id, open_only=False)
        view = ship_to_home_view(runtime, conn, cart_id)
        if view is None:
            raise NotFound(f"Sale {cart_id!r} ships nothing home.")
        return view

    return await runtime.read(read)


def _open_ship_cart(unit: Unit, currency: str) -> str:
    """The cart the shipped order will come from. No device and no customer on it while it is
    open, so no sign-in or cart lookup ever mistakes it for the shopper's own cart."""
    ship_cart_id = unit.ids.new("cart")
    cart_queries.insert_cart(
        unit.conn,
        {
            "id": ship_cart_id,
            "channel": POS_CHANNEL,  # priced as the till prices, whoever rings it up
            "device_id": None,
            "customer_id": None,
            "status": CartStatus.ACTIVE.value,
            "currency": currency,
            "version": 1,
            "created_at": unit.now,
            "updated_at": unit.now,
        },
    )
    return ship_cart_id


def _check_stock(runtime: Runtime, conn: Connection, sku: str, quantity: int) -> None:
    """Refuse now what payment would refuse: a line ships whole from one location."""
    allowed = set(ship_from(runtime))
    levels = runtime.stock_levels.levels(conn, [sku])[sku]
    best = max((units for location, units in levels if location in allowed), default=0)
    if quantity > best:
        raise InsufficientStock(
            f"No location ships {quantity} of {sku}; at most {best} from one place.",
            errors=[FieldError("quantity", f"at most {best} can ship from one location")],
            extra={"sku": sku, "available": best},
        )


def ship_to_home_view(runtime: Runtime, conn: Connection, cart_id: str) -> ShipToHomeView | None:
    link = ship_to_home_queries.of_sale(conn, cart_id)
    if link is None:
        return None
    ship_cart = cart_queries.cart(conn, link["ship_cart_id"])
    assert ship_cart is not None  # written with the link
    cart = carts.cart_view(
        conn, runtime.catalog, ship_cart, cart_queries.lines(conn, link["ship_cart_id"])
    )
    return ShipToHomeView(
        cart_id=cart_id, ship_to=link["ship_to"], lines=cart.lines, subtotal=cart.subtotal
    )
