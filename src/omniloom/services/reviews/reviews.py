"""Writing a review of a bought product, and reading a product's reviews with their summary.

Whoever writes has proved they are the customer (api/controllers/reviews.py); here the purchase
is proved: an order of the customer, on any channel (web, app, till, social), paid or further
along, with a SKU of the product. A second review of the same product replaces the first (same
id, new rating and text), as shoppers edit reviews on the shops they come from.

A review is recorded as a touchpoint (``review.posted`` or ``review.updated``) on the channel
it came through. It is what the shopper chose to publish, so it is kept like an order when they
refused tracking, without the device it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain import reviews as rules
from omniloom.domain.errors import FieldError, NotFound, NotPurchased
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.reviews.commands import WriteReview
from omniloom.store import identity_queries, review_queries


class ReviewView(msgspec.Struct, frozen=True):
    id: str
    product_id: str
    rating: int
    title: str | None
    text: str | None
    # How the reviewer is shown: first name and last initial; never their id or email.
    author: str
    channel: str  # where it was written (or last changed)
    verified_purchase: bool
    created_at: datetime
    updated_at: datetime


class ReviewPage(msgspec.Struct, frozen=True):
    product_id: str
    count: int
    average_rating: float | None  # None before the first review
    ratings: dict[str, int]  # reviews per star, "1" to "5"
    items: list[ReviewView]  # newest first
    next_offset: int | None


def _view(row: dict[str, Any]) -> ReviewView:
    return ReviewView(
        id=row["id"],
        product_id=row["product_id"],
        rating=row["rating"],
        title=row["title"],
        text=row["text"],
        author=rules.author_name(row["first_name"], row["last_name"]),
        channel=row["channel"],
        verified_purchase=True,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _known_product(runtime: Runtime, conn: Connection, product_id: str) -> None:
    if runtime.catalog.product(conn, product_id) is None:
        raise NotFound(f"There is no product {product_id!r}.")


def write_review(
    runtime: Runtime, unit: Unit, customer_id: str, product_id: str, command: WriteReview
) -> ReviewView:
    """The customer's review of the product, new or replacing theirs."""
    _known_product(runtime, unit.conn, product_id)
    if identity_queries.customer(unit.conn, customer_id) is None:
        raise NotFound(f"There is no customer {customer_id!r}.")
    order_id = review_queries.purchase_of(unit.conn, customer_id, product_id, rules.BOUGHT_STATUSES)
    if order_id is None:
        raise NotPurchased(
            f"Customer {customer_id} has no paid order of product {product_id} on any channel; "
            "only a shopper who bought it may review it.",
            errors=[FieldError("product_id", "not bought by this customer")],
        )
    content = {
        "rating": command.rating,
        "title": rules.cleaned(command.title),
        "text": rules.cleaned(command.text),
        "channel": unit.channel,
        "updated_at": unit.now,
    }
    existing = review_queries.review_of(unit.conn, customer_id, product_id)
    if existing is None:
        review_id = unit.ids.new("rev")
        review_queries.insert(
            unit.conn,
            {
                "id": review_id,
                "product_id": product_id,
                "customer_id": customer_id,
                "order_id": order_id,
                "created_at": unit.now,
                **content,
            },
        )
    else:
        review_id = existing["id"]
        review_queries.replace(unit.conn, review_id, content)
    unit.emit(
        "review.posted" if existing is None else "review.updated",
        customer_id=customer_id,
        product_id=product_id,
        review_id=review_id,
        rating=command.rating,
    )
    written = review_queries.review_of(unit.conn, customer_id, product_id)
    assert written is not None  # just written, in this transaction
    return _view(written)


async def product_reviews(
    runtime: Runtime, product_id: str, *, offset: int, limit: int
) -> ReviewPage:
    def work(conn: Connection) -> ReviewPage:
        _known_product(runtime, conn, product_id)
        counts = review_queries.ratings(conn, product_id)
        rows = review_queries.for_product(conn, product_id, offset, limit + 1)
        items = [_view(row) for row in rows[:limit]]
        return ReviewPage(
            product_id=product_id,
            count=sum(counts.values()),
            average_rating=rules.average(counts),
            ratings=rules.histogram(counts),
            items=items,
            next_offset=offset + limit if len(rows) > limit else None,
        )

    return await runtime.read(work)


async def reviews_by(runtime: Runtime, customer_id: str) -> list[ReviewView]:
    """Every review the customer wrote, newest first."""

    def work(conn: Connection) -> list[ReviewView]:
        return [_view(row) for row in review_queries.of_customer(conn, customer_id)]

    return await runtime.read(work)
