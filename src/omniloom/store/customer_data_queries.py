"""A customer's wishlist and consents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from omniloom.store import raw
from omniloom.store.tables import customer_consents, wishlist_items

_WISHLIST = (
    select(wishlist_items.c.product_id, wishlist_items.c.channel, wishlist_items.c.added_at)
    .where(wishlist_items.c.customer_id == bindparam("customer_id"))
    .order_by(wishlist_items.c.added_at, wishlist_items.c.product_id)
)
_WISHED = select(wishlist_items.c.product_id).where(
    wishlist_items.c.customer_id == bindparam("customer_id"),
    wishlist_items.c.product_id == bindparam("product_id"),
)
_WISH = wishlist_items.insert()
_UNWISH = delete(wishlist_items).where(
    wishlist_items.c.customer_id == bindparam("b_customer"),
    wishlist_items.c.product_id == bindparam("b_product"),
)
_CONSENTS = select(customer_consents.c.purpose, customer_consents.c.granted).where(
    customer_consents.c.customer_id == bindparam("customer_id")
)
_GRANT = customer_consents.insert()
_REGRANT = (
    update(customer_consents)
    .where(
        customer_consents.c.customer_id == bindparam("b_customer"),
        customer_consents.c.purpose == bindparam("b_purpose"),
    )
    .values(granted=bindparam("b_granted"), updated_at=bindparam("b_now"))
)


def wishlist(conn: Connection, customer_id: str) -> list[tuple[Any, ...]]:
    return raw.rows(conn, _WISHLIST, {"customer_id": customer_id})


def wished(conn: Connection, customer_id: str, product_id: str) -> bool:
    params = {"customer_id": customer_id, "product_id": product_id}
    return raw.first(conn, _WISHED, params) is not None


def wish(conn: Connection, customer_id: str, product_id: str, channel: str, now: datetime) -> None:
    row = {"customer_id": customer_id, "product_id": product_id, "channel": channel}
    raw.insert_many(conn, _WISH, [{**row, "added_at": now}])


def unwish(conn: Connection, customer_id: str, product_id: str) -> int:
    return raw.execute(conn, _UNWISH, {"b_customer": customer_id, "b_product": product_id})


def consents(conn: Connection, customer_id: str) -> dict[str, bool]:
    return {
        purpose: bool(granted)
        for purpose, granted in raw.rows(conn, _CONSENTS, {"customer_id": customer_id})
    }


def set_consent(
    conn: Connection, customer_id: str, purpose: str, granted: bool, now: datetime
) -> None:
    params = {"b_customer": customer_id, "b_purpose": purpose, "b_granted": granted, "b_now": now}
    if raw.execute(conn, _REGRANT, params) == 0:
        raw.insert_many(
            conn,
            _GRANT,
            [
                {
                    "customer_id": customer_id,
                    "purpose": purpose,
                    "granted": granted,
                    "updated_at": now,
                }
            ],
        )
