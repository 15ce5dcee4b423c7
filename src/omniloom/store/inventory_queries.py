"""Stock: conditional reserve, release and consume, and availability reads.

Every decrement is conditional (``WHERE on_hand - reserved >= :qty``): the database decides, in
one statement, whether the units are still there. Two channels racing for the last unit therefore
get exactly one success on SQLite (serial writer) and on PostgreSQL (row lock, then the WHERE is
evaluated again on the locked row).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from omniloom.store.tables import inventory, reservations

_RESERVE = (
    update(inventory)
    .where(
        inventory.c.sku == bindparam("b_sku"),
        inventory.c.location_id == bindparam("b_location"),
        inventory.c.on_hand - inventory.c.reserved >= bindparam("b_qty"),
    )
    .values(reserved=inventory.c.reserved + bindparam("b_qty"))
)

_RELEASE = (
    update(inventory)
    .where(
        inventory.c.sku == bindparam("b_sku"),
        inventory.c.location_id == bindparam("b_location"),
    )
    .values(reserved=inventory.c.reserved - bindparam("b_qty"))
)

_CONSUME = (
    update(inventory)
    .where(
        inventory.c.sku == bindparam("b_sku"),
        inventory.c.location_id == bindparam("b_location"),
    )
    .values(
        reserved=inventory.c.reserved - bindparam("b_qty"),
        on_hand=inventory.c.on_hand - bindparam("b_qty"),
    )
)

_AVAILABLE = select(inventory.c.location_id, inventory.c.on_hand - inventory.c.reserved).where(
    inventory.c.sku == bindparam("sku")
)


def try_reserve(conn: Connection, sku: str, location_id: str, quantity: int) -> bool:
    """Hold ``quantity`` units at a location if they are available; False if they are not."""
    result = conn.execute(_RESERVE, {"b_sku": sku, "b_location": location_id, "b_qty": quantity})
    return result.rowcount == 1


def release(conn: Connection, sku: str, location_id: str, quantity: int) -> None:
    conn.execute(_RELEASE, {"b_sku": sku, "b_location": location_id, "b_qty": quantity})


def consume(conn: Connection, sku: str, location_id: str, quantity: int) -> None:
    """Turn held units into units gone from the shelf (fulfilled or picked up)."""
    conn.execute(_CONSUME, {"b_sku": sku, "b_location": location_id, "b_qty": quantity})


def available_by_location(conn: Connection, sku: str) -> dict[str, int]:
    return {row[0]: row[1] for row in conn.execute(_AVAILABLE, {"sku": sku})}


def stock_level(conn: Connection, sku: str, location_id: str) -> tuple[int, int] | None:
    row = conn.execute(
        select(inventory.c.on_hand, inventory.c.reserved).where(
            inventory.c.sku == sku, inventory.c.location_id == location_id
        )
    ).first()
    return None if row is None else (row[0], row[1])


def add_reservation(
    conn: Connection,
    *,
    reservation_id: str,
    sku: str,
    location_id: str,
    quantity: int,
    cart_id: str | None = None,
    order_id: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    conn.execute(
        reservations.insert().values(
            id=reservation_id,
            cart_id=cart_id,
            order_id=order_id,
            sku=sku,
            location_id=location_id,
            quantity=quantity,
            expires_at=expires_at,
        )
    )


def reservations_for_cart(conn: Connection, cart_id: str) -> Sequence[Any]:
    return conn.execute(
        select(
            reservations.c.id,
            reservations.c.sku,
            reservations.c.location_id,
            reservations.c.quantity,
        ).where(reservations.c.cart_id == cart_id)
    ).all()


def reservations_for_order(conn: Connection, order_id: str) -> Sequence[Any]:
    return conn.execute(
        select(
            reservations.c.id,
            reservations.c.sku,
            reservations.c.location_id,
            reservations.c.quantity,
        ).where(reservations.c.order_id == order_id)
    ).all()


def expired_cart_reservations(conn: Connection, now: datetime) -> Sequence[Any]:
    return conn.execute(
        select(
            reservations.c.id,
            reservations.c.cart_id,
            reservations.c.sku,
            reservations.c.location_id,
            reservations.c.quantity,
        )
        .where(reservations.c.cart_id.is_not(None), reservations.c.expires_at <= now)
        .order_by(reservations.c.expires_at, reservations.c.id)
    ).all()


def delete_reservations(conn: Connection, reservation_ids: list[str]) -> None:
    if reservation_ids:
        conn.execute(delete(reservations).where(reservations.c.id.in_(reservation_ids)))
