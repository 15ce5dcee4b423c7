"""Catalog use cases: browse with search and cursor pagination, product detail with stock."""

from __future__ import annotations

import base64

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.views import (
    CategoryView,
    LocationStock,
    Page,
    ProductSummary,
    ProductView,
    SkuView,
)
from omniloom.store import catalog_queries

DEFAULT_CURRENCY = "USD"


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "The cursor is not one this API handed out.",
            errors=[FieldError("cursor", "malformed cursor")],
        ) from exc


async def browse(
    runtime: Runtime,
    *,
    channel: str,
    cursor: str | None,
    limit: int,
    query: str | None,
    category_id: str | None,
) -> Page:
    after_id = decode_cursor(cursor)

    def work(conn: Connection) -> Page:
        if category_id is not None and not catalog_queries.category_exists(conn, category_id):
            raise InvalidInput(
                f"There is no category {category_id!r}.",
                errors=[FieldError("category", "unknown category")],
            )
        rows = catalog_queries.browse(
            conn,
            channel=channel,
            after_id=after_id,
            limit=limit + 1,
            query=query,
            category_id=category_id,
        )
        items = [
            ProductSummary(
                id=row["id"],
                slug=row["slug"],
                title=row["title"],
                brand=row["brand"],
                category_id=row["category_id"],
                image_url=row["image_urls"][0] if row["image_urls"] else None,
                price_from=row["price_from"],
                currency=DEFAULT_CURRENCY,
            )
            for row in rows[:limit]
        ]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
        return Page(items=items, next_cursor=next_cursor)

    return await runtime.read(work)


async def product_page(runtime: Runtime, product_id: str, channel: str) -> bytes:
    """Product detail as JSON, from the page cache when no write has touched its stock since."""
    key = (product_id, channel)
    # Another process's sale just answered must show here too (store/pg_changes.py).
    await runtime.db.caught_up()
    body = runtime.product_pages.page(key)
    if body is None:
        since = runtime.product_pages.epoch
        view = await product_detail(runtime, product_id, channel)
        body = msgspec.json.encode(view)
        runtime.product_pages.keep(key, [sku.sku for sku in view.skus], body, since)
    return body


async def product_detail(runtime: Runtime, product_id: str, channel: str) -> ProductView:
    layout = runtime.layout
    selling = set(layout.locations_for(channel))

    def work(conn: Connection) -> ProductView:
        product = runtime.catalog.product(conn, product_id)
        if product is None or not product.sold_on(channel):
            raise NotFound(f"There is no product {product_id!r} on the {channel} channel.")
        levels = runtime.stock_levels.levels(conn, product.sku_codes)
        stock = {
            sku: [
                LocationStock(
                    location_id=location_id,
                    name=layout.locations[location_id].name,
                    kind=layout.locations[location_id].kind,
                    city=layout.locations[location_id].city,
                    available=available,
                    pickup_enabled=layout.locations[location_id].pickup_enabled,
                )
                for location_id, available in sku_levels
            ]
            for sku, sku_levels in levels.items()
        }
        sku_views = [
            SkuView(
                sku=entry.sku,
                barcode=entry.barcode,
                title=entry.title,
                attributes=entry.attributes,
                price=entry.price_for(channel),
                available=sum(s.available for s in stock[entry.sku] if s.location_id in selling),
                stock=stock[entry.sku],
            )
            for entry in product.skus
        ]
        row = product.row
        return ProductView(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            description=row["description"],
            brand=row["brand"],
            category_id=row["category_id"],
            attributes=row["attributes"],
            image_urls=row["image_urls"],
            skus=sku_views,
            available=sum(s.available for s in sku_views),
        )

    return await runtime.read(work)


async def categories(runtime: Runtime) -> list[CategoryView]:
    rows = await runtime.read(catalog_queries.list_categories)
    return [CategoryView(r["id"], r["slug"], r["name"], r["parent_id"]) for r in rows]
