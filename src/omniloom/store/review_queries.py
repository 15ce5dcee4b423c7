"""Reviews: the purchase that proves one, writing and replacing it, and reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select, update

from omniloom.store.tables import customers, order_lines, orders, reviews, skus

_PUBLIC = (
    select(reviews, customers.c.first_name, customers.c.last_name)
    .select_from(reviews.join(customers, customers.c.id == reviews.c.customer_id))
    .order_by(reviews.c.created_at.desc(), reviews.c.id.desc())
)


def purchase_of(
    conn: Connection, customer_id: str, product_id: str, statuses: Sequence[str]
) -> str | None:
    """The customer's first order (any channel) that bought a SKU of the product, if any."""
    stmt = (
        select(orders.c.id)
        .select_from(
            orders.join(order_lines, order_lines.c.order_id == orders.c.id).join(
                skus, skus.c.sku == order_lines.c.sku
            )
        )
        .where(
            orders.c.customer_id == customer_id,
            skus.c.product_id == product_id,
            orders.c.status.in_(list(statuses)),
        )
        .order_by(orders.c.placed_at, orders.c.id)
        .limit(1)
    )
    found = conn.execute(stmt).scalar()
    return None if found is None else str(found)


def review_of(conn: Connection, customer_id: str, product_id: str) -> dict[str, Any] | None:
    stmt = _PUBLIC.where(reviews.c.customer_id == customer_id, reviews.c.product_id == product_id)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(reviews.insert(), [row])


def replace(conn: Connection, review_id: str, changes: dict[str, Any]) -> None:
    conn.execute(update(reviews).where(reviews.c.id == review_id).values(**changes))


def for_product(conn: Connection, product_id: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """A product's reviews, newest first, each with its author's name."""
    stmt = _PUBLIC.where(reviews.c.product_id == product_id).offset(offset).limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def of_customer(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    stmt = _PUBLIC.where(reviews.c.customer_id == customer_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def ratings(conn: Connection, product_id: str) -> dict[int, int]:
    """How many reviews of the product gave each rating."""
    stmt = (
        select(reviews.c.rating, func.count())
        .where(reviews.c.product_id == product_id)
        .group_by(reviews.c.rating)
    )
    return {int(rating): int(count) for rating, count in conn.execute(stmt)}
