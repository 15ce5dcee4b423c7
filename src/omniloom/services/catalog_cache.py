"""The catalog as the hot paths see it: read once per product, then served from memory.

Products, SKUs, prices and channel visibility change only when the store is seeded (before a
server starts), so every process keeps what it has read; stock is never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from omniloom.services.views import Price
from omniloom.store import cart_queries, catalog_queries
from omniloom.store.catalog_queries import ADMIN_CHANNEL


@dataclass(frozen=True, slots=True)
class SkuEntry:
    sku: str
    barcode: str
    title: str
    attributes: dict[str, Any]
    prices: dict[str, Price]  # channel ("*" = list price) → price

    def price_for(self, channel: str) -> Price:
        return self.prices.get(channel) or self.prices["*"]


@dataclass(frozen=True, slots=True)
class ProductEntry:
    row: dict[str, Any]
    channels: frozenset[str]
    skus: tuple[SkuEntry, ...]

    @property
    def sku_codes(self) -> list[str]:
        return [entry.sku for entry in self.skus]

    def sku(self, code: str) -> SkuEntry:
        for entry in self.skus:
            if entry.sku == code:
                return entry
        raise KeyError(code)

    def sold_on(self, channel: str) -> bool:
        return channel == ADMIN_CHANNEL or channel in self.channels


class CatalogCache:
    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._products: OrderedDict[str, ProductEntry | None] = OrderedDict()
        self._product_of_sku: dict[str, str | None] = {}

    def product(self, conn: Connection, product_id: str) -> ProductEntry | None:
        if product_id in self._products:
            self._products.move_to_end(product_id)
            return self._products[product_id]
        entry = _load(conn, product_id)
        self._products[product_id] = entry
        if len(self._products) > self._capacity:
            self._products.popitem(last=False)
        return entry

    def product_of_sku(self, conn: Connection, sku: str) -> ProductEntry | None:
        """The product a SKU belongs to, or None for a SKU the catalog does not have."""
        if sku not in self._product_of_sku:
            if len(self._product_of_sku) > 20 * self._capacity:
                self._product_of_sku.clear()
            self._product_of_sku[sku] = cart_queries.product_of_sku(conn, sku)
        product_id = self._product_of_sku[sku]
        return None if product_id is None else self.product(conn, product_id)

    def price(self, conn: Connection, sku: str, channel: str) -> Price:
        product = self.product_of_sku(conn, sku)
        if product is None:
            raise KeyError(sku)
        return product.sku(sku).price_for(channel)


def _load(conn: Connection, product_id: str) -> ProductEntry | None:
    row = catalog_queries.product(conn, product_id, catalog_queries.ADMIN_CHANNEL)
    if row is None:
        return None
    prices: dict[str, dict[str, Price]] = {}
    details: dict[str, Any] = {}
    for sku_row in catalog_queries.skus_with_all_prices(conn, product_id):
        details[sku_row["sku"]] = sku_row
        prices.setdefault(sku_row["sku"], {})[sku_row["channel"]] = Price(
            sku_row["amount"], sku_row["currency"], sku_row["compare_at"]
        )
    skus = tuple(
        SkuEntry(
            sku=sku,
            barcode=details[sku]["barcode"],
            title=details[sku]["title"],
            attributes=details[sku]["attributes"],
            prices=prices[sku],
        )
        for sku in sorted(details)
    )
    return ProductEntry(
        row=dict(row),
        channels=frozenset(catalog_queries.product_channel_names(conn, product_id)),
        skus=skus,
    )
