"""Insert a data set into the store tables, in bulk, on SQLite and PostgreSQL alike.

Rows are built as tuples in table column order (msgspec's ``astuple`` does most of them at C
speed) and inserted in batches, parents first so foreign keys hold after every batch.

On SQLite a batch goes straight to the driver's ``executemany`` with the statement SQLAlchemy
compiled and the column types' own bind processors applied: Core's per-row parameter handling
costs more than SQLite's insert itself, and a 100,000-product catalog is over two million rows.
Other backends take the ordinary ``conn.execute(table.insert(), rows)`` path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import msgspec
from sqlalchemy import Connection, Table, delete

from omniloom.domain.channels import demo_api_keys
from omniloom.seed.merchandising import (
    APP_ONLY_DISCOUNTS,
    DEMO_PROMOTIONS,
    SOCIAL_EXCLUSIVE_PRODUCTS,
    promotion_row,
)
from omniloom.seed.model import Category, Location, Product, SeedData, StockLevel
from omniloom.seed.progress import Progress, ignore_progress, report_every
from omniloom.services.messaging.flows import install_demo_flows
from omniloom.store import tables

Row = tuple[Any, ...]
Writer = Callable[[list[Row]], None]
# Big enough that per-batch overhead vanishes, small enough to keep memory flat.
BATCH_ROWS = 10_000
REGISTERS_PER_STORE = 2

_astuple = msgspec.structs.astuple
# When the demo store's automation flows were written (shown as their updated_at).
FLOWS_DEFINED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def load(conn: Connection, data: SeedData, progress: Progress = ignore_progress) -> int:
    """Insert ``data`` (plus the demo API keys) into empty tables; returns the rows inserted."""
    by_id = {category.id: category for category in data.categories}
    keys = demo_api_keys()
    stores = [location for location in data.locations if location.kind == "store"]
    stages: list[tuple[Table, int, Iterable[Row]]] = [
        (tables.categories, len(data.categories), _categories(data.categories)),
        (tables.products, len(data.products), (_product(p, by_id) for p in data.products)),
        (
            tables.product_channels,
            sum(len(p.channels) for p in data.products),
            ((p.id, channel) for p in data.products for channel in p.channels),
        ),
        (tables.skus, len(data.skus), map(_astuple, data.skus)),
        (tables.prices, len(data.prices), map(_astuple, data.prices)),
        (tables.locations, len(data.locations), (_location(loc) for loc in data.locations)),
        (tables.registers, REGISTERS_PER_STORE * len(stores), _registers(stores)),
        (
            tables.channel_locations,
            len(data.channel_locations),
            map(_astuple, data.channel_locations),
        ),
        (tables.inventory, len(data.stock), map(_stock, data.stock)),
        (tables.customers, len(data.customers), map(_astuple, data.customers)),
        (tables.promotions, len(DEMO_PROMOTIONS), map(promotion_row, DEMO_PROMOTIONS)),
        (
            tables.api_keys,
            len(keys),
            (
                (k.key, k.name, str(k.channel), sorted(map(str, k.scopes)), k.location_id)
                for k in keys
            ),
        ),
    ]
    inserted = 0
    for table, total, rows in stages:
        inserted += _insert(conn, table, total, rows, progress)
    inserted += _merchandise(conn, data)
    install_demo_flows(conn, FLOWS_DEFINED_AT)
    return inserted


def _merchandise(conn: Connection, data: SeedData) -> int:
    """Channel-only assortment and prices on top of the generated catalog."""
    products = {product.id for product in data.products}
    exclusive = [p for p in SOCIAL_EXCLUSIVE_PRODUCTS if p in products]
    if exclusive:
        conn.execute(
            delete(tables.product_channels).where(
                tables.product_channels.c.product_id.in_(exclusive),
                tables.product_channels.c.channel != "social",
            )
        )
    skus_of = {sku.sku: sku.product_id for sku in data.skus}
    app_prices = [
        {
            "sku": price.sku,
            "channel": "mobile",
            "amount": price.amount * (100 - APP_ONLY_DISCOUNTS[skus_of[price.sku]]) // 100,
            "currency": price.currency,
            "compare_at": price.amount,
        }
        for price in data.prices
        if price.channel == "*" and skus_of.get(price.sku) in APP_ONLY_DISCOUNTS
    ]
    if app_prices:
        conn.execute(tables.prices.insert(), app_prices)
    return len(app_prices)


def search_text(product: Product, categories: dict[str, Category]) -> str:
    """Title, brand and category words (the leaf and its department), lower-cased."""
    words = [product.title, product.brand]
    category = categories.get(product.category_id)
    while category is not None:
        words.append(category.name)
        category = categories.get(category.parent_id) if category.parent_id else None
    return " ".join(words).lower()


def _stock(level: StockLevel) -> Row:
    # The seeded quantity is the ledger's opening balance: on_hand = opening + movements.
    # Nothing is oversold yet.
    return (level.sku, level.location_id, level.on_hand, level.reserved, level.on_hand, False)


def register_ids(location_id: str) -> list[str]:
    """``reg_nyc_1``, ``reg_nyc_2`` for ``loc_store_nyc``: fixed, so scenarios can name them."""
    key = location_id.removeprefix("loc_store_")
    return [f"reg_{key}_{number}" for number in range(1, REGISTERS_PER_STORE + 1)]


def _registers(stores: Sequence[Location]) -> Iterator[Row]:
    # Registers follow from the store network, so they are not part of the exported files.
    for store in stores:
        for number, register_id in enumerate(register_ids(store.id), start=1):
            yield (register_id, store.id, f"Till {number}", None)


def _categories(categories: Sequence[Category]) -> Iterator[Row]:
    # Parents before children, whatever order the data set lists them in.
    ordered = sorted(categories, key=lambda category: category.parent_id is not None)
    return map(_astuple, ordered)


def _product(p: Product, categories: dict[str, Category]) -> Row:
    return (
        p.id,
        p.slug,
        p.title,
        p.description,
        p.brand,
        p.category_id,
        p.attributes,
        p.image_urls,
        search_text(p, categories),
    )


def _location(location: Location) -> Row:
    row = list(_astuple(location))
    row[3] = msgspec.to_builtins(location.address)
    return tuple(row)


def _insert(
    conn: Connection, table: Table, total: int, rows: Iterable[Row], progress: Progress
) -> int:
    write = _driver_writer(conn, table) if conn.dialect.name == "sqlite" else None
    write = write or _core_writer(conn, table)
    every = report_every(total)
    done = 0
    next_report = every
    for batch in _batches(rows, BATCH_ROWS):
        write(batch)
        done += len(batch)
        if done >= next_report or done == total:
            progress(f"load {table.name}", done, total)
            next_report = done + every
    return done


def _core_writer(conn: Connection, table: Table) -> Writer:
    keys = [column.key for column in table.columns]

    def write(batch: list[Row]) -> None:
        conn.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in batch])

    return write


def _driver_writer(conn: Connection, table: Table) -> Writer | None:
    """A writer that skips Core's per-row work, or None if the statement is not positional."""
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect)
    keys = [column.key for column in table.columns]
    if list(compiled.positiontup or ()) != keys:
        return None
    processors = [
        (index, processor)
        for index, column in enumerate(table.columns)
        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]

    def process(row: Row) -> Row:
        values = list(row)
        for index, processor in processors:
            values[index] = processor(values[index])
        return tuple(values)

    def write(batch: list[Row]) -> None:
        conn.exec_driver_sql(
            compiled.string, [process(row) for row in batch] if processors else batch
        )

    return write


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
