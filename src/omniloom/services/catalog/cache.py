"""The catalog as the hot paths see it: read once per product, then served from memory.

Products, SKUs, prices and channel visibility change only when the store is seeded (before a
server starts), so every process keeps what it has read; stock is never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection

from omniloom.domain.promotions import Promotion, best_discount
from omniloom.services.kernel.views import Price
from omniloom.store import cart_queries, catalog_queries, changes, promotion_queries
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


class LinePrice(NamedTuple):
    unit_price: int
    discount: int
    promotion_id: str | None


class CatalogCache:
    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._products: OrderedDict[str, ProductEntry | None] = OrderedDict()
        self._product_of_sku: dict[str, str | None] = {}
        self._parents: dict[str, str | None] | None = None
        self._promotions: list[Promotion] | None = None
        # Promotions change at run time; they are kept only where every change is seen.
        self.caching_promotions = False
        self._promotions_epoch = 0

    def forget(self, touched: changes.Touched) -> None:
        if any(kind == changes.EVERYTHING for kind, _ in touched):
            self.forget_all()
        elif any(kind == promotion_queries.PROMOTIONS for kind, _ in touched):
            self._promotions = None
            self._promotions_epoch += 1

    def forget_all(self) -> None:
        """The store was loaded again underneath (a reset): nothing kept is true any more."""
        self._products.clear()
        self._product_of_sku.clear()
        self._parents = None
        self._promotions = None
        self._promotions_epoch += 1

    def promotions(self, conn: Connection) -> list[Promotion]:
        if self._promotions is not None:
            return self._promotions
        epoch = self._promotions_epoch
        active = promotion_queries.active(conn)
        # Not kept if a change was reported while reading (another process's, on PostgreSQL).
        if self.caching_promotions and epoch == self._promotions_epoch:
            self._promotions = active
        return active

    def categories_of(self, conn: Connection, category_id: str) -> list[str]:
        """A category and every category above it."""
        if self._parents is None:
            self._parents = {
                row["id"]: row["parent_id"] for row in catalog_queries.list_categories(conn)
            }
        chain: list[str] = []
        current: str | None = category_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self._parents.get(current)
        return chain

    def line_price(self, conn: Connection, sku: str, quantity: int, channel: str) -> LinePrice:
        """What ``quantity`` x ``sku`` costs on ``channel``, with its best promotion."""
        product = self.product_of_sku(conn, sku)
        if product is None:
            raise KeyError(sku)
        unit_price = product.sku(sku).price_for(channel).amount
        categories = self.categories_of(conn, product.row["category_id"])
        saving, promotion = best_discount(
            self.promotions(conn), channel, categories, unit_price, quantity
        )
        return LinePrice(unit_price, saving, None if promotion is None else promotion.id)

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
