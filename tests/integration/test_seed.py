"""The demo store data set: deterministic, realistic, in sync with the committed files, and
loadable on SQLite and (when OMNILOOM_TEST_PG_URL is set) PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from omniloom.domain.channels import SELLING_CHANNELS, demo_api_keys
from omniloom.seed import cli as seed_cli
from omniloom.seed.barcodes import barcode_for, ean13_check_digit, is_valid_ean13
from omniloom.seed.customers import SIGNUPS_END
from omniloom.seed.files import COMMITTED_DIR, read_dir, write_dir
from omniloom.seed.generate import generate
from omniloom.seed.load import load
from omniloom.seed.merchandising import APP_ONLY_DISCOUNTS, SOCIAL_EXCLUSIVE_PRODUCTS
from omniloom.seed.model import SeedData
from omniloom.store import tables as t
from omniloom.store.database import Database, open_database


@pytest.fixture(scope="module")
def data() -> SeedData:
    return generate()


# Determinism -----------------------------------------------------------------------------------


def test_same_seed_same_data_set(data: SeedData) -> None:
    assert generate() == data


def test_other_seed_other_catalog(data: SeedData) -> None:
    other = generate(seed=7, products=50, customers=20)
    assert [p.title for p in other.products] != [p.title for p in data.products[:50]]


def test_customer_count_leaves_the_catalog_alone(data: SeedData) -> None:
    fewer = generate(customers=10)
    assert fewer.products == data.products
    assert fewer.stock == data.stock


def test_export_is_byte_identical_to_the_committed_files(data: SeedData, tmp_path: Path) -> None:
    written = write_dir(data, tmp_path)
    assert written, "nothing exported"
    for path in written:
        committed = COMMITTED_DIR / path.name
        assert committed.is_file(), f"seed/{path.name} is not committed"
        assert path.read_bytes() == committed.read_bytes(), (
            f"seed/{path.name} has drifted from the generator; run `omniloom seed --export seed/`"
        )


def test_committed_files_read_back_as_the_generated_set(data: SeedData) -> None:
    assert read_dir(COMMITTED_DIR) == data


def test_a_truncated_copy_is_refused(data: SeedData, tmp_path: Path) -> None:
    write_dir(data, tmp_path)
    lines = (tmp_path / "inventory.csv").read_text().splitlines(keepends=True)
    (tmp_path / "inventory.csv").write_text("".join(lines[:-5]))
    with pytest.raises(ValueError, match="row counts"):
        read_dir(tmp_path)


# Realism ---------------------------------------------------------------------------------------


def test_catalog_shape(data: SeedData) -> None:
    departments = [c for c in data.categories if c.parent_id is None]
    assert len(departments) >= 8
    leaf_ids = {c.id for c in data.categories if c.parent_id is not None}
    assert {p.category_id for p in data.products} <= leaf_ids
    assert 900 <= len(data.skus) <= 1150  # about 3.3 SKUs per product
    assert {s.product_id for s in data.skus} == {p.id for p in data.products}
    assert all(p.channels == [str(c) for c in SELLING_CHANNELS] for p in data.products)
    assert all(
        url.startswith("https://img.omniloom.test/") for p in data.products for url in p.image_urls
    )
    apparel = [s for s in data.skus if s.title.split(" / ")[0].endswith(("Shirt", "Tee", "Jeans"))]
    assert apparel and all({"colour", "size"} <= s.attributes.keys() for s in apparel)


def test_ids_are_readable(data: SeedData) -> None:
    assert data.products[0].id == "prd_000001"
    assert data.skus[0].sku == "SKU-000001-01"
    assert data.customers[0].id == "cus_000001"
    assert all(c.id == f"cat_{c.slug}" for c in data.categories)
    assert len({p.slug for p in data.products}) == len(data.products)


def test_barcodes_are_valid_unique_ean13(data: SeedData) -> None:
    barcodes = [s.barcode for s in data.skus]
    assert all(is_valid_ean13(code) for code in barcodes)
    assert len(set(barcodes)) == len(barcodes)
    assert is_valid_ean13("4006381333931")  # a published EAN-13
    assert not is_valid_ean13("4006381333932")
    assert ean13_check_digit("400638133393") == 1
    assert barcode_for(0) != barcode_for(1)


def test_prices_are_positive_and_markdowns_are_markdowns(data: SeedData) -> None:
    assert all(p.amount > 0 and p.currency == "USD" for p in data.prices)
    marked_down = [p for p in data.prices if p.compare_at is not None]
    assert marked_down and all(p.compare_at > p.amount for p in marked_down)  # type: ignore[operator]
    assert {p.sku for p in data.prices if p.channel == "*"} == {s.sku for s in data.skus}


def test_network_of_one_dc_and_six_stores(data: SeedData) -> None:
    kinds = Counter(location.kind for location in data.locations)
    assert kinds == {"dc": 1, "store": 6}
    assert len({location.timezone for location in data.locations}) >= 4
    dc = next(location for location in data.locations if location.kind == "dc")
    assert dc.id.startswith("loc_dc_") and not dc.pickup_enabled
    stores = [location for location in data.locations if location.kind == "store"]
    assert all(s.pickup_enabled and s.id.startswith("loc_store_") for s in stores)
    assert all(0 < location.tax_rate_bps < 1500 for location in data.locations)


def test_channels_sell_from_the_dc_first_and_pos_from_stores(data: SeedData) -> None:
    order: dict[str, list[str]] = {}
    for row in sorted(data.channel_locations, key=lambda row: (row.channel, row.rank)):
        order.setdefault(row.channel, []).append(row.location_id)
    for channel in ("web", "mobile", "social", "messaging"):
        assert order[channel][0] == "loc_dc_columbus" and len(order[channel]) == 7
    assert len(order["pos"]) == 6 and all(loc.startswith("loc_store_") for loc in order["pos"])


def test_stock_has_depth_at_the_dc_and_gaps_in_stores(data: SeedData) -> None:
    store_rows = [s for s in data.stock if s.location_id.startswith("loc_store_")]
    assert any(s.on_hand == 0 for s in store_rows)
    assert any(1 <= s.on_hand <= 3 for s in store_rows)
    dc_rows = [s for s in data.stock if s.location_id == "loc_dc_columbus"]
    assert len(dc_rows) == len(data.skus)
    assert sum(s.on_hand for s in dc_rows) > sum(s.on_hand for s in store_rows)
    stocked = {s.sku for s in data.stock if s.on_hand > 0}
    assert 1 <= len({s.sku for s in data.skus} - stocked) <= 20  # a few sold out everywhere


def test_customers(data: SeedData) -> None:
    assert len(data.customers) == 500
    assert len({c.email for c in data.customers}) == 500
    assert all(
        c.email.endswith(("@example.com", "@example.net", "@example.org")) for c in data.customers
    )
    assert all(
        SIGNUPS_END - timedelta(days=365) <= c.created_at < SIGNUPS_END for c in data.customers
    )
    assert [c.created_at for c in data.customers] == sorted(c.created_at for c in data.customers)


# Loading -------------------------------------------------------------------------------------


LOADED_TABLES = (
    "categories", "products", "product_channels", "skus", "prices", "locations",
    "channel_locations", "inventory", "customers", "api_keys",
)  # fmt: skip


def expected_rows(data: SeedData) -> dict[str, int]:
    counts = data.counts()
    # Merchandising on top: social-only products lose their other channels, app-only prices
    # add a mobile price to each SKU of their product.
    products = {product.id for product in data.products}
    exclusive = sum(1 for p in SOCIAL_EXCLUSIVE_PRODUCTS if p in products)
    app_priced = sum(1 for sku in data.skus if sku.product_id in APP_ONLY_DISCOUNTS)
    return {
        "categories": counts["categories"],
        "products": counts["products"],
        "product_channels": counts["products"] * len(SELLING_CHANNELS)
        - exclusive * (len(SELLING_CHANNELS) - 1),
        "skus": counts["skus"],
        "prices": counts["prices"] + app_priced,
        "locations": counts["locations"],
        "channel_locations": counts["channel_locations"],
        "inventory": counts["inventory"],
        "customers": counts["customers"],
        "api_keys": len(demo_api_keys()),
    }


def loaded_rows(conn: Connection) -> dict[str, int]:
    return {
        name: conn.execute(select(func.count()).select_from(t.metadata.tables[name])).scalar_one()
        for name in LOADED_TABLES
    }


def check_loaded(db: Database, data: SeedData) -> None:
    db.reset_schema()
    db.run_blocking(lambda conn: load(conn, data))
    assert db.run_blocking(loaded_rows) == expected_rows(data)

    def sample(conn: Connection) -> tuple[Any, ...]:
        product = conn.execute(select(t.products).where(t.products.c.id == "prd_000001")).one()
        customer = conn.execute(select(t.customers).where(t.customers.c.id == "cus_000001")).one()
        key = conn.execute(select(t.api_keys).where(t.api_keys.c.key == "olk_admin_demo")).one()
        location = conn.execute(select(t.locations).where(t.locations.c.kind == "dc")).one()
        return product, customer, key, location

    product, customer, key, location = db.run_blocking(sample)
    first = data.products[0]
    assert product.search_text == product.search_text.lower()
    assert first.title.lower() in product.search_text and first.brand.lower() in product.search_text
    assert product.attributes == first.attributes
    assert customer.created_at == data.customers[0].created_at
    assert key.scopes == ["admin", "pos", "storefront"]
    assert location.address["city"] == "Columbus" and location.pickup_enabled is False


def test_load(data: SeedData, database_url: str) -> None:
    # database_url (tests/conftest.py) is a fresh SQLite file, and PostgreSQL when
    # OMNILOOM_TEST_PG_URL is set; the PostgreSQL case is skipped with that reason otherwise.
    db = open_database(database_url)
    try:
        check_loaded(db, data)
    finally:
        asyncio.run(db.close())


# The command ---------------------------------------------------------------------------------


def run_seed(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="omniloom")
    seed_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["seed", *argv])
    result: int = args.func(args)
    return result


def test_command_loads_the_committed_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run_seed("--database-url", url) == 0
    out = capsys.readouterr().out
    assert "the committed data set" in out and "995 SKUs" in out


def test_command_exports_and_reloads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    export = tmp_path / "export"
    assert run_seed("--export", str(export), "--products", "20", "--customers", "5", "--quiet") == 0
    assert capsys.readouterr().out == ""
    assert not (tmp_path / "cli.db").exists()  # export alone does not touch a database
    assert run_seed("--database-url", url, "--from", str(export)) == 0
    assert f"files in {export}" in capsys.readouterr().out
    assert run_seed("--from", str(export), "--seed", "3") == 2
    # A directory named on the command line that cannot be read is a usage error, as in argparse.
    assert run_seed("--from", str(tmp_path / "missing")) == 2
