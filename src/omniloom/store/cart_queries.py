"""Carts and their lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, delete, select, update

from omniloom.store.tables import cart_lines, carts, prices, skus

_CART = select(carts).where(carts.c.id == bindparam("cart_id"))

_LINES = (
    select(
        cart_lines.c.id,
        cart_lines.c.sku,
        cart_lines.c.quantity,
        skus.c.title,
        skus.c.product_id,
    )
    .join(skus, skus.c.sku == cart_lines.c.sku)
    .where(cart_lines.c.cart_id == bindparam("cart_id"))
    .order_by(cart_lines.c.added_at, cart_lines.c.id)
)

_LINE_PRICES = select(prices.c.sku, prices.c.channel, prices.c.amount).where(
    prices.c.sku.in_(bindparam("skus", expanding=True)),
    prices.c.channel.in_([bindparam("channel"), "*"]),
)

# Bumping the version first also takes the row lock on PostgreSQL, so every change to one cart
# is serialised there as it is on SQLite's single writer.
_BUMP = (
    update(carts)
    .where(carts.c.id == bindparam("b_id"))
    .values(version=carts.c.version + 1, updated_at=bindparam("b_now"))
    .returning(carts.c.version, carts.c.status, carts.c.customer_id)
)

_LINE_FOR_SKU = select(cart_lines.c.id, cart_lines.c.quantity).where(
    cart_lines.c.cart_id == bindparam("cart_id"), cart_lines.c.sku == bindparam("sku")
)


def insert_cart(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(carts.insert().values(**values))


def cart(conn: Connection, cart_id: str) -> RowMapping | None:
    return conn.execute(_CART, {"cart_id": cart_id}).mappings().first()


def lines(conn: Connection, cart_id: str) -> Sequence[RowMapping]:
    return conn.execute(_LINES, {"cart_id": cart_id}).mappings().all()


def unit_prices(conn: Connection, sku_codes: list[str], channel: str) -> dict[str, int]:
    """Price per SKU for a channel: the channel's own price wins over the list price."""
    found: dict[str, int] = {}
    for sku, price_channel, amount in conn.execute(
        _LINE_PRICES, {"skus": sku_codes, "channel": channel}
    ):
        if price_channel != "*" or sku not in found:
            found[sku] = amount
    return found


def bump_version(
    conn: Connection, cart_id: str, now: datetime
) -> tuple[int, str, str | None] | None:
    """New version, status and customer of the cart, or None when there is no such cart."""
    row = conn.execute(_BUMP, {"b_id": cart_id, "b_now": now}).first()
    return None if row is None else (row[0], row[1], row[2])


def line_for_sku(conn: Connection, cart_id: str, sku: str) -> Any | None:
    return conn.execute(_LINE_FOR_SKU, {"cart_id": cart_id, "sku": sku}).first()


def line_by_id(conn: Connection, cart_id: str, line_id: str) -> Any | None:
    return conn.execute(
        select(cart_lines.c.id, cart_lines.c.sku, cart_lines.c.quantity).where(
            cart_lines.c.cart_id == cart_id, cart_lines.c.id == line_id
        )
    ).first()


def count_lines(conn: Connection, cart_id: str) -> int:
    return len(conn.execute(select(cart_lines.c.id).where(cart_lines.c.cart_id == cart_id)).all())


def insert_line(
    conn: Connection, *, line_id: str, cart_id: str, sku: str, quantity: int, now: datetime
) -> None:
    conn.execute(
        cart_lines.insert().values(
            id=line_id, cart_id=cart_id, sku=sku, quantity=quantity, added_at=now
        )
    )


def set_line_quantity(conn: Connection, line_id: str, quantity: int) -> None:
    conn.execute(update(cart_lines).where(cart_lines.c.id == line_id).values(quantity=quantity))


def delete_line(conn: Connection, line_id: str) -> None:
    conn.execute(delete(cart_lines).where(cart_lines.c.id == line_id))


def set_status(conn: Connection, cart_id: str, status: str) -> None:
    conn.execute(update(carts).where(carts.c.id == cart_id).values(status=status))


def sku_exists(conn: Connection, sku: str) -> bool:
    return conn.execute(select(skus.c.sku).where(skus.c.sku == sku)).first() is not None
