"""Stock holds shared by carts, checkout and the clock: hold, release, expire."""

from __future__ import annotations

from datetime import datetime

from omniloom.domain.errors import FieldError, InsufficientStock
from omniloom.services.kernel.unit import Unit
from omniloom.store import inventory_queries
from omniloom.store.inventory_queries import Ref


def reserve_first_fit(
    unit: Unit,
    sku: str,
    quantity: int,
    locations: list[str],
    *,
    order_id: str | None = None,
    cart_id: str | None = None,
) -> str:
    """Hold ``quantity`` at the first location, in selling order, that has all of it."""
    ref = Ref(unit.now, order_id=order_id, cart_id=cart_id)
    for location_id in locations:
        if inventory_queries.try_reserve(unit.conn, sku, location_id, quantity, ref):
            return location_id
    available = inventory_queries.available_by_location(unit.conn, sku)
    sellable = sum(available.get(location, 0) for location in locations)
    raise InsufficientStock(
        f"Not enough {sku} in stock: {quantity} requested, "
        f"{max(available.get(loc, 0) for loc in locations) if locations else 0} "
        "at the best single location.",
        errors=[FieldError("quantity", f"{sellable} available across locations")],
        extra={"sku": sku, "requested": quantity, "available": sellable},
    )


def hold_for_cart(
    unit: Unit, cart_id: str, sku: str, quantity: int, locations: list[str], expires_at: datetime
) -> None:
    location_id = reserve_first_fit(unit, sku, quantity, locations, cart_id=cart_id)
    inventory_queries.add_reservation(
        unit.conn,
        reservation_id=unit.ids.new("res"),
        sku=sku,
        location_id=location_id,
        quantity=quantity,
        cart_id=cart_id,
        expires_at=expires_at,
    )
    unit.emit(
        "inventory.reserved",
        cart_id=cart_id,
        sku=sku,
        location_id=location_id,
        quantity=quantity,
        expires_at=expires_at.isoformat(),
    )


def release_cart_holds(unit: Unit, cart_id: str, sku: str | None = None) -> None:
    holds = [
        hold
        for hold in inventory_queries.reservations_for_cart(unit.conn, cart_id)
        if sku is None or hold.sku == sku
    ]
    for hold in holds:
        ref = Ref(unit.now, cart_id=cart_id)
        inventory_queries.release(unit.conn, hold.sku, hold.location_id, hold.quantity, ref)
        unit.emit(
            "inventory.released",
            cart_id=cart_id,
            sku=hold.sku,
            location_id=hold.location_id,
            quantity=hold.quantity,
        )
    inventory_queries.delete_reservations(unit.conn, [hold.id for hold in holds])


def expire_cart_holds(unit: Unit) -> int:
    """Release every cart hold whose time has passed; returns how many were released."""
    expired = inventory_queries.expired_cart_reservations(unit.conn, unit.now)
    for hold in expired:
        ref = Ref(unit.now, cart_id=hold.cart_id)
        inventory_queries.release(unit.conn, hold.sku, hold.location_id, hold.quantity, ref)
        unit.emit(
            "inventory.reservation_expired",
            cart_id=hold.cart_id,
            sku=hold.sku,
            location_id=hold.location_id,
            quantity=hold.quantity,
        )
    inventory_queries.delete_reservations(unit.conn, [hold.id for hold in expired])
    return len(expired)
