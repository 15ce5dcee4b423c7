"""Stock: conditional reserve, release and consume, and availability reads.

Every decrement is conditional (``WHERE on_hand - reserved >= :qty``): the database decides, in
one statement, whether the units are still there. Two channels racing for the last unit therefore
get exactly one success on SQLite (serial writer) and on PostgreSQL (row lock, then the WHERE is
evaluated again on the locked row).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, case, delete, false, or_, select, update

from omniloom.store import changes, raw
from omniloom.store.tables import inventory, reservations, stock_movements

_AT = (inventory.c.sku == bindparam("b_sku"), inventory.c.location_id == bindparam("b_location"))

_RESERVE = (
    update(inventory)
    .where(*_AT, inventory.c.on_hand - inventory.c.reserved >= bindparam("b_qty"))
    .values(reserved=inventory.c.reserved + bindparam("b_qty"))
)
_RELEASE = update(inventory).where(*_AT).values(reserved=inventory.c.reserved - bindparam("b_qty"))
_CONSUME = (
    update(inventory)
    .where(*_AT)
    .values(
        reserved=inventory.c.reserved - bindparam("b_qty"),
        on_hand=inventory.c.on_hand - bindparam("b_qty"),
    )
)
# What may still be sold: an oversold row (see ``sell_offline``) has none, not a negative amount.
AVAILABLE = case(
    (inventory.c.on_hand > inventory.c.reserved, inventory.c.on_hand - inventory.c.reserved),
    else_=0,
)
_AVAILABLE = select(inventory.c.location_id, AVAILABLE).where(inventory.c.sku == bindparam("sku"))
_LEVEL = select(inventory.c.on_hand, inventory.c.reserved).where(
    inventory.c.sku == bindparam("b_sku"), inventory.c.location_id == bindparam("b_location")
)
_LOCKED_LEVEL = _LEVEL.with_for_update()
_INSERT_RESERVATION = reservations.insert()
_HOLD_COLUMNS = (
    reservations.c.id,
    reservations.c.cart_id,
    reservations.c.sku,
    reservations.c.location_id,
    reservations.c.quantity,
)
_CART_HOLDS = select(*_HOLD_COLUMNS).where(reservations.c.cart_id == bindparam("cart_id"))
_EXPIRED_HOLDS = (
    select(*_HOLD_COLUMNS)
    .where(reservations.c.cart_id.is_not(None), reservations.c.expires_at <= bindparam("now"))
    .order_by(reservations.c.expires_at, reservations.c.id)
)
_DELETE_RESERVATION = delete(reservations).where(reservations.c.id == bindparam("b_id"))


class Ref(msgspec.Struct, frozen=True):
    """When a stock change happened and what it was for; written to the ledger with it."""

    at: datetime
    order_id: str | None = None
    cart_id: str | None = None
    reason: str | None = None


_RECORD = stock_movements.insert()


def _change(
    conn: Connection,
    stmt: Any,
    kind: str,
    sku: str,
    location_id: str,
    quantity: int,
    ref: Ref,
) -> bool:
    """Run one stock change and, when it happened, its ledger entry.

    Every change to ``inventory`` goes through here: the SKU is noted for caches of stock
    (store.changes) and the movement is recorded, so stock = opening + movements always.
    """
    changes.touch(conn, changes.STOCK, sku)
    params = {"b_sku": sku, "b_location": location_id, "b_qty": quantity}
    if stmt is _RESERVE:
        # The hot row's lock: on PostgreSQL taken last, just before COMMIT (raw.execute_guarded).
        if not raw.execute_guarded(conn, stmt, params):
            return False
    elif raw.execute(conn, stmt, params) != 1:
        return False
    on_hand_delta, reserved_delta = _DELTAS[kind]
    raw.insert_many(
        conn,
        _RECORD,
        [
            {
                "sku": sku,
                "location_id": location_id,
                "kind": kind,
                "on_hand_delta": on_hand_delta * quantity,
                "reserved_delta": reserved_delta * quantity,
                "order_id": ref.order_id,
                "cart_id": ref.cart_id,
                "occurred_at": ref.at,
                "reason": ref.reason,
            }
        ],
    )
    return True


# Per unit moved: (on_hand, reserved).
_DELTAS = {"reserve": (0, 1), "release": (0, -1), "sale": (-1, -1), "return": (1, 0)}
# Shelf changes by hand or by swap: the quantity is signed (negative: units leave the shelf).
_DELTAS.update({"transfer": (1, 0), "adjustment": (1, 0), "exchange": (1, 0)})
# A sale an offline register made: the units left the shelf without ever being held.
_DELTAS["offline_sale"] = (-1, 0)


def try_reserve(conn: Connection, sku: str, location_id: str, quantity: int, ref: Ref) -> bool:
    """Hold ``quantity`` units at a location if they are available; False if they are not."""
    return _change(conn, _RESERVE, "reserve", sku, location_id, quantity, ref)


def release(conn: Connection, sku: str, location_id: str, quantity: int, ref: Ref) -> None:
    _change(conn, _RELEASE, "release", sku, location_id, quantity, ref)


def consume(conn: Connection, sku: str, location_id: str, quantity: int, ref: Ref) -> None:
    """Turn held units into units gone from the shelf (fulfilled or picked up)."""
    _change(conn, _CONSUME, "sale", sku, location_id, quantity, ref)


_RESTOCK = update(inventory).where(*_AT).values(on_hand=inventory.c.on_hand + bindparam("b_qty"))
_NEW_LEVEL = inventory.insert()


# Units may leave the shelf only while what stays covers the holds on it.
_TAKE_OFF = (
    update(inventory)
    .where(*_AT, inventory.c.on_hand + bindparam("b_qty") >= inventory.c.reserved)
    .values(on_hand=inventory.c.on_hand + bindparam("b_qty"))
)


def shift(conn: Connection, kind: str, sku: str, location_id: str, delta: int, ref: Ref) -> bool:
    """Add ``delta`` units to a location's shelf (negative: take them off) unless that would
    leave fewer than are reserved there; False, and nothing changed, when it would.

    Units put on a shelf always land, even on one an offline oversell left below its holds:
    they only bring it closer to square.
    """
    if delta > 0:
        _open_level(conn, sku, location_id)
        return _change(conn, _RESTOCK, kind, sku, location_id, delta, ref)
    return _change(conn, _TAKE_OFF, kind, sku, location_id, delta, ref)


def _open_level(conn: Connection, sku: str, location_id: str) -> None:
    if stock_level(conn, sku, location_id) is None:
        raw.insert_many(
            conn,
            _NEW_LEVEL,
            [
                {
                    "sku": sku,
                    "location_id": location_id,
                    "on_hand": 0,
                    "reserved": 0,
                    "opening_on_hand": 0,
                }
            ],
        )


# An offline register's sale: covered by what is available, or (where the location allows it)
# taken anyway, leaving the row short and flagged so the CHECK lets it below zero.
_SELL_OFFLINE = (
    update(inventory)
    .where(*_AT, inventory.c.on_hand - inventory.c.reserved >= bindparam("b_qty"))
    .values(on_hand=inventory.c.on_hand - bindparam("b_qty"))
)
_OVERSELL = (
    update(inventory)
    .where(*_AT)
    .values(
        on_hand=inventory.c.on_hand - bindparam("b_qty"),
        oversold=or_(
            inventory.c.oversold, inventory.c.on_hand - inventory.c.reserved < bindparam("b_qty")
        ),
    )
)
# A count replaces the books' figure; it may not leave less than is held for orders.
_RECOUNT = (
    update(inventory)
    .where(*_AT, inventory.c.on_hand + bindparam("b_qty") >= inventory.c.reserved)
    .values(on_hand=inventory.c.on_hand + bindparam("b_qty"), oversold=false())
)


def sell_offline(
    conn: Connection, sku: str, location_id: str, quantity: int, ref: Ref, *, oversell: bool
) -> bool:
    """Take units an offline register sold. Short of them, only with ``oversell`` (the row goes
    below what is available, and is flagged); otherwise False and nothing changed."""
    if _change(conn, _SELL_OFFLINE, "offline_sale", sku, location_id, quantity, ref):
        return True
    if not oversell:
        return False
    _open_level(conn, sku, location_id)
    return _change(conn, _OVERSELL, "offline_sale", sku, location_id, quantity, ref)


def recount(conn: Connection, sku: str, location_id: str, delta: int, ref: Ref) -> bool:
    """Correct the shelf by ``delta`` to a physical count and clear the oversold flag; False,
    and nothing changed, when the count is below what is reserved there. A count where the SKU
    was never stocked opens its stock row, so even a count of none is on the ledger."""
    _open_level(conn, sku, location_id)
    return _change(conn, _RECOUNT, "adjustment", sku, location_id, delta, ref)


def available_by_location(conn: Connection, sku: str) -> dict[str, int]:
    return {location: available for location, available in raw.rows(conn, _AVAILABLE, {"sku": sku})}


def stock_level(
    conn: Connection, sku: str, location_id: str, *, lock: bool = False
) -> tuple[int, int] | None:
    """(on hand, reserved) at a location; with ``lock``, the row stays locked (PostgreSQL)
    until the transaction ends, so a figure computed from it is not overtaken."""
    row = raw.first(
        conn, _LOCKED_LEVEL if lock else _LEVEL, {"b_sku": sku, "b_location": location_id}
    )
    return None if row is None else (row[0], row[1])


def available_at(conn: Connection, sku: str, location_id: str) -> int:
    """Units that can still be sold at a location: never below zero, even where an offline
    register's oversell took the shelf below what is held."""
    level = stock_level(conn, sku, location_id)
    return 0 if level is None else max(level[0] - level[1], 0)


class Hold:
    """A stock hold taken for a cart (reserve-on-add policy)."""

    __slots__ = ("cart_id", "id", "location_id", "quantity", "sku")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.id, self.cart_id, self.sku, self.location_id, self.quantity = row


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
    raw.insert_many(
        conn,
        _INSERT_RESERVATION,
        [
            {
                "id": reservation_id,
                "cart_id": cart_id,
                "order_id": order_id,
                "sku": sku,
                "location_id": location_id,
                "quantity": quantity,
                "expires_at": expires_at,
            }
        ],
    )


def reservations_for_cart(conn: Connection, cart_id: str) -> list[Hold]:
    return [Hold(row) for row in raw.rows(conn, _CART_HOLDS, {"cart_id": cart_id})]


def expired_cart_reservations(conn: Connection, now: datetime) -> list[Hold]:
    return [Hold(row) for row in raw.rows(conn, _EXPIRED_HOLDS, {"now": now})]


def delete_reservations(conn: Connection, reservation_ids: list[str]) -> None:
    for reservation_id in reservation_ids:
        raw.execute(conn, _DELETE_RESERVATION, {"b_id": reservation_id})
