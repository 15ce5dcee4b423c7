"""Carts and their lines (request path: every statement runs on the lean lane)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Text, bindparam, cast, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from omniloom.domain.carts import CartStatus
from omniloom.store import raw
from omniloom.store.tables import cart_lines, carts, skus

CART_COLUMNS = tuple(column.name for column in carts.columns)

_INSERT_CART = carts.insert()
_CART = select(carts).where(carts.c.id == bindparam("cart_id"))

# Line id, SKU, quantity, product: enough to rebuild the cart view with prices from the catalog.
_LINES = (
    select(
        cart_lines.c.id, cart_lines.c.sku, cart_lines.c.quantity, skus.c.product_id, skus.c.title
    )
    .join(skus, skus.c.sku == cart_lines.c.sku)
    .where(cart_lines.c.cart_id == bindparam("cart_id"))
    .order_by(cart_lines.c.added_at, cart_lines.c.id)
)

# Bumping the version first also takes the row lock on PostgreSQL, so every change to one cart
# is serialised there as it is on SQLite's single writer.
_BUMP = (
    update(carts)
    .where(carts.c.id == bindparam("b_id"))
    .values(version=carts.c.version + 1, updated_at=bindparam("b_now"))
    .returning(*carts.columns)
)
# Checkout bumps and closes an active cart in one statement (a later failure rolls both back).
_BUMP_AND_CLOSE = (
    update(carts)
    .where(carts.c.id == bindparam("b_id"), carts.c.status == CartStatus.ACTIVE.value)
    .values(
        version=carts.c.version + 1, updated_at=bindparam("b_now"), status=bindparam("b_status")
    )
    .returning(*carts.columns)
)
# Every line's id and quantity, in one string: a line never changes its SKU, so these are the
# lines. Ordered by the bytes of the id (COLLATE "C"), as Python sorts them.
_LINES_AS_STORED = (
    select(
        func.string_agg(
            cart_lines.c.id + literal(":") + cast(cart_lines.c.quantity, Text),
            aggregate_order_by(literal(","), cart_lines.c.id.collate("C")),
        )
    )
    .where(cart_lines.c.cart_id == carts.c.id)
    .scalar_subquery()
)
# The same change, held back to the end of the unit on PostgreSQL (raw.may_read_unlocked): the
# cart as read without a lock, or as this process last left it (services/carts/seen.py), must
# still be the cart as it is, lines and all, or nothing of the unit is written. The lines are
# compared as of the unit's last statement, which carries this update and the unit's own line
# writes together (a statement does not see its own changes).
_BUMP_IF_UNCHANGED = (
    update(carts)
    .where(
        carts.c.id == bindparam("b_id"),
        carts.c.version == bindparam("b_version"),
        carts.c.status == bindparam("b_seen_status"),
        carts.c.customer_id.is_not_distinct_from(bindparam("b_customer")),
        _LINES_AS_STORED.is_not_distinct_from(bindparam("b_lines", type_=Text)),
    )
    .values(
        version=carts.c.version + 1, updated_at=bindparam("b_now"), status=bindparam("b_status")
    )
)
# A cart and its lines in one statement (one snapshot, one round trip): the cart's columns,
# then a line's (None for a cart without lines).
_CART_AND_LINES = (
    select(
        carts,
        cart_lines.c.id,
        cart_lines.c.sku,
        cart_lines.c.quantity,
        skus.c.product_id,
        skus.c.title,
    )
    .select_from(
        carts.outerjoin(
            cart_lines.join(skus, skus.c.sku == cart_lines.c.sku),
            cart_lines.c.cart_id == carts.c.id,
        )
    )
    .where(carts.c.id == bindparam("cart_id"))
    .order_by(cart_lines.c.added_at, cart_lines.c.id)
)
_SET_STATUS = (
    update(carts).where(carts.c.id == bindparam("b_id")).values(status=bindparam("b_status"))
)
_INSERT_LINE = cart_lines.insert()
_SET_QUANTITY = (
    update(cart_lines).where(cart_lines.c.id == bindparam("b_id")).values(quantity=bindparam("b_q"))
)
_DELETE_LINE = delete(cart_lines).where(cart_lines.c.id == bindparam("b_id"))
_SKU_PRODUCT = select(skus.c.product_id).where(skus.c.sku == bindparam("sku"))


def insert_cart(conn: Connection, values: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_CART, [values])


def _lines_as_stored(lines: list[CartLine]) -> str | None:
    """What _LINES_AS_STORED reads for these lines (None for none, as string_agg gives)."""
    by_id = sorted(lines, key=lambda line: line.id)
    return ",".join(f"{line.id}:{line.quantity}" for line in by_id) or None


def cart(conn: Connection, cart_id: str) -> dict[str, Any] | None:
    row = raw.first(conn, _CART, {"cart_id": cart_id})
    return None if row is None else dict(zip(CART_COLUMNS, row, strict=True))


class CartLine(NamedTuple):
    """A cart line as stored, enough to rebuild the cart view with prices from the catalog."""

    id: str
    sku: str
    quantity: int
    product_id: str
    title: str


def lines(conn: Connection, cart_id: str) -> list[CartLine]:
    """The cart's lines in the order they were added."""
    return [CartLine._make(row) for row in raw.rows(conn, _LINES, {"cart_id": cart_id})]


def cart_and_lines(conn: Connection, cart_id: str) -> tuple[dict[str, Any] | None, list[CartLine]]:
    """The cart (None if there is none) and its lines in the order they were added."""
    found = raw.rows(conn, _CART_AND_LINES, {"cart_id": cart_id})
    if not found:
        return None, []
    width = len(CART_COLUMNS)
    cart = dict(zip(CART_COLUMNS, found[0][:width], strict=True))
    lines = [CartLine._make(row[width:]) for row in found if row[width] is not None]
    return cart, lines


def bump_if_unchanged(
    conn: Connection, seen: dict[str, Any], lines: list[CartLine], now: datetime, status: str
) -> dict[str, Any]:
    """Move the cart ``seen`` with ``lines`` (read without a lock, or remembered) to its next
    version with ``status``, on the condition that it is still as seen; the cart as it then
    is. Held back on PostgreSQL (raw.execute_guarded): the unit is run again if the cart
    changed meanwhile."""
    raw.execute_guarded(
        conn,
        _BUMP_IF_UNCHANGED,
        {
            "b_id": seen["id"],
            "b_version": seen["version"],
            "b_seen_status": seen["status"],
            "b_customer": seen["customer_id"],
            "b_lines": _lines_as_stored(lines),
            "b_now": now,
            "b_status": status,
        },
    )
    return {**seen, "version": seen["version"] + 1, "updated_at": now, "status": status}


def bump_version(conn: Connection, cart_id: str, now: datetime) -> dict[str, Any] | None:
    """Lock the cart and move it to its next version; the cart as it now is, or None."""
    row = raw.first(conn, _BUMP, {"b_id": cart_id, "b_now": now})
    return None if row is None else dict(zip(CART_COLUMNS, row, strict=True))


def bump_and_close(
    conn: Connection, cart_id: str, now: datetime, status: str
) -> dict[str, Any] | None:
    """Like bump_version, and set the closing ``status``; None unless the cart was active."""
    row = raw.first(conn, _BUMP_AND_CLOSE, {"b_id": cart_id, "b_now": now, "b_status": status})
    return None if row is None else dict(zip(CART_COLUMNS, row, strict=True))


def insert_line(
    conn: Connection, *, line_id: str, cart_id: str, sku: str, quantity: int, now: datetime
) -> None:
    raw.insert_many(
        conn,
        _INSERT_LINE,
        [{"id": line_id, "cart_id": cart_id, "sku": sku, "quantity": quantity, "added_at": now}],
    )


def set_line_quantity(conn: Connection, line_id: str, quantity: int) -> None:
    raw.write(conn, _SET_QUANTITY, {"b_id": line_id, "b_q": quantity})


def delete_line(conn: Connection, line_id: str) -> None:
    raw.write(conn, _DELETE_LINE, {"b_id": line_id})


def set_status(conn: Connection, cart_id: str, status: str) -> None:
    raw.execute(conn, _SET_STATUS, {"b_id": cart_id, "b_status": status})


def product_of_sku(conn: Connection, sku: str) -> str | None:
    row = raw.first(conn, _SKU_PRODUCT, {"sku": sku})
    return None if row is None else str(row[0])


# --- Identity: whose cart is it (cart merge on sign-in and identify) ---------------------------

_CUSTOMER_ACTIVE_CART = (
    select(carts.c.id)
    .where(carts.c.customer_id == bindparam("customer_id"), carts.c.status == "active")
    .order_by(carts.c.updated_at.desc(), carts.c.id.desc())
    .limit(1)
)
_DEVICE_ANONYMOUS_CART = (
    select(carts.c.id)
    .where(
        carts.c.device_id == bindparam("device_id"),
        carts.c.customer_id.is_(None),
        carts.c.status == "active",
    )
    .order_by(carts.c.updated_at.desc(), carts.c.id.desc())
    .limit(1)
)
_SET_CUSTOMER = (
    update(carts).where(carts.c.id == bindparam("b_id")).values(customer_id=bindparam("b_customer"))
)
_MOVE_CARTS = (
    update(carts)
    .where(carts.c.customer_id == bindparam("b_from"))
    .values(customer_id=bindparam("b_to"))
)


def active_cart_of_customer(conn: Connection, customer_id: str) -> str | None:
    """The customer's most recently changed active cart."""
    row = raw.first(conn, _CUSTOMER_ACTIVE_CART, {"customer_id": customer_id})
    return None if row is None else str(row[0])


def anonymous_cart_of_device(conn: Connection, device_id: str) -> str | None:
    """The most recently changed active cart a device started before anyone signed in."""
    row = raw.first(conn, _DEVICE_ANONYMOUS_CART, {"device_id": device_id})
    return None if row is None else str(row[0])


def set_customer(conn: Connection, cart_id: str, customer_id: str) -> None:
    raw.execute(conn, _SET_CUSTOMER, {"b_id": cart_id, "b_customer": customer_id})


def move_carts(conn: Connection, from_customer: str, to_customer: str) -> int:
    return raw.execute(conn, _MOVE_CARTS, {"b_from": from_customer, "b_to": to_customer})
