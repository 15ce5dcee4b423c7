"""The demo store's data set as plain Structs: what the generator makes, the files hold and the
loader inserts.

The Structs mirror the store tables but stay free of SQLAlchemy, so the data set can be written
to files, read back and compared without a database. ``gc=False`` because a large catalog is
millions of these and none of them can form a reference cycle; tracking them only slows the
generator down.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

# Attribute values people filter on: words ("Navy"), counts (pages) and flags.
AttributeValue = str | int | bool
Attributes = dict[str, AttributeValue]


class Category(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    slug: str
    name: str
    parent_id: str | None = None


class Product(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    slug: str
    title: str
    description: str
    brand: str
    category_id: str
    attributes: Attributes
    image_urls: list[str]
    # The selling channels the product is visible on.
    channels: list[str]


class Sku(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    product_id: str
    barcode: str
    title: str
    attributes: Attributes


class Price(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    # "*" is the list price every channel falls back to.
    channel: str
    amount: int
    currency: str = "USD"
    compare_at: int | None = None


class Address(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    line1: str
    city: str
    region: str
    postal_code: str
    country: str = "US"


class Location(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    kind: str  # "dc" or "store"
    name: str
    address: Address
    city: str
    timezone: str
    pickup_enabled: bool
    tax_rate_bps: int
    latitude: float
    longitude: float
    # May an offline register's sale take stock here below zero (flagged as a conflict)?
    negative_stock_allowed: bool = False


class ChannelLocation(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    channel: str
    location_id: str
    rank: int


class StockLevel(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    location_id: str
    on_hand: int
    reserved: int = 0


class Customer(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: str
    email: str
    phone: str | None
    first_name: str
    last_name: str
    created_at: datetime


class SeedParams(msgspec.Struct, frozen=True, kw_only=True):
    """What the generator was asked for; equal parameters give an equal data set."""

    seed: int = 42
    products: int = 300
    customers: int = 500


class SeedData(msgspec.Struct, kw_only=True):
    params: SeedParams
    categories: list[Category]
    products: list[Product]
    skus: list[Sku]
    prices: list[Price]
    locations: list[Location]
    channel_locations: list[ChannelLocation]
    stock: list[StockLevel]
    customers: list[Customer]

    def counts(self) -> dict[str, int]:
        """Rows per table, in the order the files and the summary list them."""
        return {
            "categories": len(self.categories),
            "products": len(self.products),
            "skus": len(self.skus),
            "prices": len(self.prices),
            "locations": len(self.locations),
            "channel_locations": len(self.channel_locations),
            "inventory": len(self.stock),
            "customers": len(self.customers),
        }
