"""A small, hand-made store for tests: every number in it is chosen, none generated."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from omniloom.domain.channels import SELLING_CHANNELS, demo_api_keys
from omniloom.store import tables as t

WEB_KEY = "olk_web_demo"
MOBILE_KEY = "olk_mobile_demo"
ADMIN_KEY = "olk_admin_demo"
MESSAGING_KEY = "olk_messaging_demo"

DC = "loc_dc_columbus"
NYC = "loc_store_nyc"
SEA = "loc_store_seattle"
# Where the locations are (latitude, longitude), for routing shipped orders to the nearest one.
POINTS = {DC: (39.96, -83.00), NYC: (40.72, -74.00), SEA: (47.61, -122.34)}

# SKU → (product, price in cents, stock at DC, NYC, SEA)
SKUS = {
    "SKU-TEE-M": ("prd_tee", 2500, 10, 3, 0),
    "SKU-TEE-L": ("prd_tee", 2500, 0, 1, 2),
    "SKU-MUG": ("prd_mug", 1200, 37, 0, 0),
    "SKU-LAMP": ("prd_lamp", 8900, 5, 2, 1),
}
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def load_mini_store(conn: Connection) -> None:
    conn.execute(
        t.categories.insert(),
        [
            {"id": "cat_apparel", "slug": "apparel", "name": "Apparel", "parent_id": None},
            {"id": "cat_home", "slug": "home", "name": "Home", "parent_id": None},
        ],
    )
    conn.execute(
        t.products.insert(),
        [
            _product("prd_tee", "Organic cotton tee", "cat_apparel", "Loomwear"),
            _product("prd_mug", "Stoneware mug", "cat_home", "Kiln & Co"),
            _product("prd_lamp", "Brass desk lamp", "cat_home", "Lumen"),
        ],
    )
    conn.execute(
        t.product_channels.insert(),
        [
            {"product_id": product, "channel": channel}
            for product in ("prd_tee", "prd_mug", "prd_lamp")
            for channel in SELLING_CHANNELS
        ],
    )
    conn.execute(
        t.skus.insert(),
        [
            {
                "sku": sku,
                "product_id": product,
                "barcode": f"400000000{index:04d}",
                "title": sku,
                "attributes": {},
            }
            for index, (sku, (product, *_)) in enumerate(SKUS.items())
        ],
    )
    conn.execute(
        t.prices.insert(),
        [
            {"sku": sku, "channel": "*", "amount": price, "currency": "USD", "compare_at": None}
            for sku, (_, price, *_) in SKUS.items()
        ],
    )
    conn.execute(
        t.locations.insert(),
        [
            _location(DC, "dc", "Columbus DC", "Columbus", "America/New_York", 0, False),
            _location(NYC, "store", "SoHo", "New York", "America/New_York", 888, True),
            _location(SEA, "store", "Pike Place", "Seattle", "America/Los_Angeles", 1025, True),
        ],
    )
    conn.execute(
        t.channel_locations.insert(),
        [
            {"channel": channel, "location_id": location, "rank": rank}
            for channel in ("web", "mobile", "social", "messaging")
            for rank, location in enumerate((DC, NYC, SEA))
        ]
        + [{"channel": "pos", "location_id": NYC, "rank": 0}],
    )
    conn.execute(
        t.inventory.insert(),
        [
            {
                "sku": sku,
                "location_id": location,
                "on_hand": on_hand,
                "reserved": 0,
                "opening_on_hand": on_hand,
            }
            for sku, (_, _, *levels) in SKUS.items()
            for location, on_hand in zip((DC, NYC, SEA), levels, strict=True)
        ],
    )
    conn.execute(
        t.customers.insert(),
        [
            {
                "id": "cus_000001",
                "email": "ada@example.com",
                "phone": "+15550100",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "created_at": CREATED,
            }
        ],
    )
    conn.execute(
        t.api_keys.insert(),
        [
            {
                "key": key.key,
                "name": key.name,
                "channel": key.channel.value,
                "scopes": sorted(scope.value for scope in key.scopes),
                "location_id": key.location_id,
            }
            for key in demo_api_keys()
        ],
    )
    load_pos(conn)


def _product(product_id: str, title: str, category: str, brand: str) -> dict[str, object]:
    return {
        "id": product_id,
        "slug": product_id.removeprefix("prd_"),
        "title": title,
        "description": f"{title} by {brand}.",
        "brand": brand,
        "category_id": category,
        "attributes": {},
        "image_urls": [f"https://img.omniloom.test/{product_id}.jpg"],
        "search_text": f"{title} {brand} {category}".lower(),
    }


def _location(
    location_id: str,
    kind: str,
    name: str,
    city: str,
    timezone: str,
    tax_bps: int,
    pickup: bool,
) -> dict[str, object]:
    return {
        "id": location_id,
        "kind": kind,
        "name": name,
        "city": city,
        "timezone": timezone,
        "pickup_enabled": pickup,
        "tax_rate_bps": tax_bps,
        "address": {"line1": "1 Main St", "city": city, "country": "US"},
        "latitude": POINTS[location_id][0],
        "longitude": POINTS[location_id][1],
        "negative_stock_allowed": kind == "store",
    }


POS_KEY = "olk_pos_nyc_demo"
NYC_REGISTERS = ("reg_nyc_1", "reg_nyc_2")
SEA_REGISTER = "reg_seattle_1"
# Gift card code → balance in cents.
GIFT_CARDS = {"GC-1000-0001": 5000, "GC-1000-0002": 1000, "GC-1000-0003": 0}


def load_pos(conn: Connection) -> None:
    """Registers and gift cards: two tills in New York, one in Seattle."""
    conn.execute(
        t.registers.insert(),
        [
            {"id": register, "location_id": location, "name": name, "open_shift_id": None}
            for register, location, name in (
                ("reg_nyc_1", NYC, "Till 1"),
                ("reg_nyc_2", NYC, "Till 2"),
                (SEA_REGISTER, SEA, "Till 1"),
            )
        ],
    )
    conn.execute(
        t.gift_cards.insert(),
        [
            {"code": code, "balance": balance, "currency": "USD", "issued_at": CREATED}
            for code, balance in GIFT_CARDS.items()
        ],
    )
