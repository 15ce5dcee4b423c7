"""The data set as files people can read, diff and edit: CSV for flat tables, JSON where nesting
helps, and a manifest with the generator parameters and row counts.

Output is byte-for-byte deterministic (fixed column order, sorted JSON keys, "\\n" line ends), so
the committed copy under the repository's ``seed/`` directory can be checked against the
generator.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from omniloom.seed.model import (
    Category,
    ChannelLocation,
    Customer,
    Location,
    Price,
    Product,
    SeedData,
    SeedParams,
    Sku,
    StockLevel,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# The repository's committed data set: src/omniloom/seed/files.py -> parents[3] is the checkout.
COMMITTED_DIR = Path(__file__).resolve().parents[3] / "seed"

T = TypeVar("T")

_json = msgspec.json.Encoder(order="deterministic")


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format_version: int
    generator: str
    params: SeedParams
    counts: dict[str, int]


class FileTable(msgspec.Struct, frozen=True):
    """How one flat table maps to a CSV file."""

    file: str
    columns: tuple[str, ...]


CATEGORIES = FileTable("categories.csv", ("id", "slug", "name", "parent_id"))
SKUS = FileTable("skus.csv", ("sku", "product_id", "barcode", "title", "attributes"))
PRICES = FileTable("prices.csv", ("sku", "channel", "amount", "currency", "compare_at"))
CHANNEL_LOCATIONS = FileTable("channel_locations.csv", ("channel", "location_id", "rank"))
INVENTORY = FileTable("inventory.csv", ("sku", "location_id", "on_hand", "reserved"))
CUSTOMERS = FileTable(
    "customers.csv", ("id", "email", "phone", "first_name", "last_name", "created_at")
)
PRODUCTS_FILE = "products.jsonl"
LOCATIONS_FILE = "locations.json"


def write_dir(data: SeedData, directory: Path) -> list[Path]:
    """Write every file of the data set into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, bytes] = {
        CATEGORIES.file: _csv(CATEGORIES, (_category_row(c) for c in data.categories)),
        PRODUCTS_FILE: b"".join(_json.encode(p) + b"\n" for p in data.products),
        SKUS.file: _csv(SKUS, (_sku_row(s) for s in data.skus)),
        PRICES.file: _csv(PRICES, (_price_row(p) for p in data.prices)),
        LOCATIONS_FILE: _pretty(data.locations),
        CHANNEL_LOCATIONS.file: _csv(
            CHANNEL_LOCATIONS, ((c.channel, c.location_id, c.rank) for c in data.channel_locations)
        ),
        INVENTORY.file: _csv(
            INVENTORY, ((s.sku, s.location_id, s.on_hand, s.reserved) for s in data.stock)
        ),
        CUSTOMERS.file: _csv(CUSTOMERS, (_customer_row(c) for c in data.customers)),
        MANIFEST: _pretty(
            Manifest(
                format_version=FORMAT_VERSION,
                generator="omniloom.seed.generate",
                params=data.params,
                counts=data.counts(),
            )
        ),
    }
    written = []
    for name, content in outputs.items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written


def read_manifest(directory: Path) -> Manifest | None:
    """The directory's manifest, or None when there is no readable data set there."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = msgspec.json.decode(path.read_bytes(), type=Manifest)
    except msgspec.ValidationError:
        return None
    return manifest if manifest.format_version == FORMAT_VERSION else None


def read_dir(directory: Path) -> SeedData:
    """Read a data set written by ``write_dir`` (possibly edited by hand since)."""
    manifest = read_manifest(directory)
    if manifest is None:
        raise FileNotFoundError(f"no omniloom seed data set (manifest.json) in {directory}")
    products_path = directory / PRODUCTS_FILE
    products_decoder = msgspec.json.Decoder(Product)
    with products_path.open("rb") as lines:
        products = [products_decoder.decode(line) for line in lines if line.strip()]
    data = SeedData(
        params=manifest.params,
        categories=_read_csv(directory, CATEGORIES, _category),
        products=products,
        skus=_read_csv(directory, SKUS, _sku),
        prices=_read_csv(directory, PRICES, _price),
        locations=msgspec.json.decode(
            (directory / LOCATIONS_FILE).read_bytes(), type=list[Location]
        ),
        channel_locations=_read_csv(
            directory,
            CHANNEL_LOCATIONS,
            lambda r: ChannelLocation(channel=r[0], location_id=r[1], rank=int(r[2])),
        ),
        stock=_read_csv(
            directory,
            INVENTORY,
            lambda r: StockLevel(sku=r[0], location_id=r[1], on_hand=int(r[2]), reserved=int(r[3])),
        ),
        customers=_read_csv(directory, CUSTOMERS, _customer),
    )
    # A truncated or half-edited copy should fail here, not as a foreign key error mid-load.
    if data.counts() != manifest.counts:
        raise ValueError(
            f"{directory}: row counts {data.counts()} differ from the manifest's {manifest.counts}"
        )
    return data


# Writing -------------------------------------------------------------------------------------


def _csv(table: FileTable, rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _pretty(value: Any) -> bytes:
    return msgspec.json.format(_json.encode(value), indent=2) + b"\n"


def _category_row(c: Category) -> tuple[str, ...]:
    return (c.id, c.slug, c.name, c.parent_id or "")


def _sku_row(s: Sku) -> tuple[str, ...]:
    return (s.sku, s.product_id, s.barcode, s.title, _json.encode(s.attributes).decode())


def _price_row(p: Price) -> tuple[Any, ...]:
    return (p.sku, p.channel, p.amount, p.currency, "" if p.compare_at is None else p.compare_at)


def _customer_row(c: Customer) -> tuple[str, ...]:
    created = c.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (c.id, c.email, c.phone or "", c.first_name, c.last_name, created)


# Reading -------------------------------------------------------------------------------------


def _read_csv(directory: Path, table: FileTable, build: Callable[[list[str]], T]) -> list[T]:
    return list(map(build, _csv_rows(directory / table.file, table)))


def _csv_rows(path: Path, table: FileTable) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != table.columns:
            raise ValueError(f"{path}: expected columns {table.columns}, found {header}")
        yield from reader


def _category(r: list[str]) -> Category:
    return Category(id=r[0], slug=r[1], name=r[2], parent_id=r[3] or None)


_attributes = msgspec.json.Decoder(dict[str, str | int | bool])


def _sku(r: list[str]) -> Sku:
    return Sku(
        sku=r[0], product_id=r[1], barcode=r[2], title=r[3], attributes=_attributes.decode(r[4])
    )


def _price(r: list[str]) -> Price:
    return Price(
        sku=r[0],
        channel=r[1],
        amount=int(r[2]),
        currency=r[3],
        compare_at=int(r[4]) if r[4] else None,
    )


def _customer(r: list[str]) -> Customer:
    return Customer(
        id=r[0],
        email=r[1],
        phone=r[2] or None,
        first_name=r[3],
        last_name=r[4],
        created_at=datetime.fromisoformat(r[5]).astimezone(UTC),
    )
