"""Catalog reads: browse, search, product detail with prices and stock by location."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, func, or_, select
from sqlalchemy.sql import ClauseElement

from omniloom.store import raw
from omniloom.store.inventory_queries import AVAILABLE
from omniloom.store.tables import (
    categories,
    channel_locations,
    inventory,
    locations,
    prices,
    product_channels,
    products,
    skus,
)

_PRODUCT_COLUMNS = select(
    products.c.id,
    products.c.slug,
    products.c.title,
    products.c.description,
    products.c.brand,
    products.c.category_id,
    products.c.attributes,
    products.c.image_urls,
)
ADMIN_CHANNEL = "admin"  # sees every product, whatever channels it is sold on

_PRODUCT_ANY_CHANNEL = _PRODUCT_COLUMNS.where(products.c.id == bindparam("product_id"))
_PRODUCT_ON_CHANNEL = _PRODUCT_COLUMNS.join_from(
    products,
    product_channels,
    and_(
        product_channels.c.product_id == products.c.id,
        product_channels.c.channel == bindparam("channel"),
    ),
).where(products.c.id == bindparam("product_id"))

_LOCATIONS = select(
    locations.c.id,
    locations.c.kind,
    locations.c.name,
    locations.c.city,
    locations.c.timezone,
    locations.c.pickup_enabled,
    locations.c.tax_rate_bps,
    locations.c.address,
    locations.c.latitude,
    locations.c.longitude,
)

_CHANNEL_LOCATIONS = (
    select(channel_locations.c.location_id)
    .where(channel_locations.c.channel == bindparam("channel"))
    .order_by(channel_locations.c.rank)
)


def product(conn: Connection, product_id: str, channel: str) -> RowMapping | None:
    stmt = _PRODUCT_ANY_CHANNEL if channel == ADMIN_CHANNEL else _PRODUCT_ON_CHANNEL
    return conn.execute(stmt, {"product_id": product_id, "channel": channel}).mappings().first()


def all_locations(conn: Connection) -> Sequence[RowMapping]:
    return conn.execute(_LOCATIONS).mappings().all()


def channel_location_ids(conn: Connection, channel: str) -> list[str]:
    return list(conn.execute(_CHANNEL_LOCATIONS, {"channel": channel}).scalars())


def list_categories(conn: Connection) -> Sequence[RowMapping]:
    return conn.execute(select(categories).order_by(categories.c.id)).mappings().all()


def browse(
    conn: Connection,
    *,
    channel: str,
    after_id: str | None,
    limit: int,
    query: str | None,
    category_id: str | None,
) -> Sequence[RowMapping]:
    """Products visible on ``channel`` ordered by id, ``limit`` rows after ``after_id``.

    Each row carries the lowest price among its SKUs for the channel (list price as fallback).
    """
    channel_price = (
        select(func.min(prices.c.amount))
        .join(skus, skus.c.sku == prices.c.sku)
        .where(skus.c.product_id == products.c.id, prices.c.channel.in_([channel, "*"]))
        .scalar_subquery()
    )
    stmt = (
        select(
            products.c.id,
            products.c.slug,
            products.c.title,
            products.c.brand,
            products.c.category_id,
            products.c.image_urls,
            channel_price.label("price_from"),
        )
        .order_by(products.c.id)
        .limit(limit)
    )
    if channel != ADMIN_CHANNEL:
        stmt = stmt.join_from(
            products,
            product_channels,
            and_(
                product_channels.c.product_id == products.c.id,
                product_channels.c.channel == channel,
            ),
        )
    if after_id is not None:
        stmt = stmt.where(products.c.id > after_id)
    if category_id is not None:
        child_ids = select(categories.c.id).where(categories.c.parent_id == category_id)
        stmt = stmt.where(
            or_(products.c.category_id == category_id, products.c.category_id.in_(child_ids))
        )
    if query:
        # Every word must start a word of the product's text: "tee" finds tees, not steel.
        for word in query.lower().split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(
                or_(
                    products.c.search_text.like(f"{escaped}%", escape="\\"),
                    products.c.search_text.like(f"% {escaped}%", escape="\\"),
                )
            )
    return conn.execute(stmt).mappings().all()


def category_exists(conn: Connection, category_id: str) -> bool:
    return (
        conn.execute(select(categories.c.id).where(categories.c.id == category_id)).first()
        is not None
    )


_SKUS_ALL_PRICES = (
    select(
        skus.c.sku,
        skus.c.barcode,
        skus.c.title,
        skus.c.attributes,
        prices.c.channel,
        prices.c.amount,
        prices.c.currency,
        prices.c.compare_at,
    )
    .join(prices, prices.c.sku == skus.c.sku)
    .where(skus.c.product_id == bindparam("product_id"))
    .order_by(skus.c.sku, prices.c.channel)
)

# One statement per SKU count, so each is compiled once and runs on the lean lane. The
# primary key (sku, location_id) serves both the lookup and the order.
_stock_by_count: dict[int, ClauseElement] = {}


def _stock_for(count: int) -> ClauseElement:
    stmt = _stock_by_count.get(count)
    if stmt is None:
        stmt = (
            select(inventory.c.sku, inventory.c.location_id, AVAILABLE)
            .where(inventory.c.sku.in_([bindparam(f"sku_{i}") for i in range(count)]))
            .order_by(inventory.c.sku, inventory.c.location_id)
        )
        _stock_by_count[count] = stmt
    return stmt


def skus_with_all_prices(conn: Connection, product_id: str) -> Sequence[RowMapping]:
    return conn.execute(_SKUS_ALL_PRICES, {"product_id": product_id}).mappings().all()


def product_channel_names(conn: Connection, product_id: str) -> list[str]:
    return list(
        conn.execute(
            select(product_channels.c.channel).where(product_channels.c.product_id == product_id)
        ).scalars()
    )


def available_for_skus(conn: Connection, sku_codes: Sequence[str]) -> list[tuple[Any, ...]]:
    """(sku, location, available) for the given SKUs at every location, on the fast lane."""
    if not sku_codes:
        return []
    params = {f"sku_{i}": code for i, code in enumerate(sku_codes)}
    return raw.rows(conn, _stock_for(len(sku_codes)), params)
