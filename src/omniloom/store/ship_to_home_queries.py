"""Endless aisle: the link from a POS sale to the cart (and later the order) it ships home."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from omniloom.store import raw
from omniloom.store.tables import pos_ship_to_home

_INSERT = pos_ship_to_home.insert()
_OF_SALE = select(pos_ship_to_home).where(pos_ship_to_home.c.cart_id == bindparam("cart_id"))
_OF_ORDER = select(pos_ship_to_home).where(pos_ship_to_home.c.order_id == bindparam("order_id"))
_SET_ADDRESS = (
    update(pos_ship_to_home)
    .where(pos_ship_to_home.c.cart_id == bindparam("b_id"))
    .values(ship_to=bindparam("b_ship_to"))
)
_SET_ORDER = (
    update(pos_ship_to_home)
    .where(pos_ship_to_home.c.cart_id == bindparam("b_id"))
    .values(order_id=bindparam("b_order"))
)


def insert(
    conn: Connection, cart_id: str, ship_cart_id: str, ship_to: dict[str, Any], now: datetime
) -> None:
    raw.insert_many(
        conn,
        _INSERT,
        [
            {
                "cart_id": cart_id,
                "ship_cart_id": ship_cart_id,
                "ship_to": ship_to,
                "order_id": None,
                "created_at": now,
            }
        ],
    )


def of_sale(conn: Connection, cart_id: str) -> dict[str, Any] | None:
    found = raw.dicts(conn, _OF_SALE, {"cart_id": cart_id})
    return found[0] if found else None


def of_order(conn: Connection, order_id: str) -> dict[str, Any] | None:
    found = raw.dicts(conn, _OF_ORDER, {"order_id": order_id})
    return found[0] if found else None


def set_address(conn: Connection, cart_id: str, ship_to: dict[str, Any]) -> None:
    raw.execute(conn, _SET_ADDRESS, {"b_id": cart_id, "b_ship_to": ship_to})


def set_order(conn: Connection, cart_id: str, order_id: str) -> None:
    raw.execute(conn, _SET_ORDER, {"b_id": cart_id, "b_order": order_id})
