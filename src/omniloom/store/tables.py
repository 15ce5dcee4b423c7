"""SQLAlchemy Core tables: the one schema both backends share.

Money columns hold integer minor units; the currency lives beside them. Stock is kept per SKU per
location as ``on_hand`` and ``reserved``; what may be sold is ``on_hand - reserved``. The CHECK
constraints are the last line of defence against oversell: even a faulty query cannot commit
negative or over-reserved stock.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from omniloom.store.types import UtcDateTime

metadata = MetaData()

Timestamp = UtcDateTime()

categories = Table(
    "categories",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("parent_id", String(40), ForeignKey("categories.id"), nullable=True),
)

products = Table(
    "products",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("slug", String(160), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("brand", String(120), nullable=False, default=""),
    Column("category_id", String(40), ForeignKey("categories.id"), nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("image_urls", JSON, nullable=False, default=list),
    # Lower-cased title + brand + category words, so search is one indexed-free LIKE per row
    # without per-row function calls.
    Column("search_text", Text, nullable=False, default=""),
    Index("ix_products_category", "category_id", "id"),
)

# Where a product may be sold; a product with no row for a channel is invisible there.
product_channels = Table(
    "product_channels",
    metadata,
    Column("product_id", String(40), ForeignKey("products.id"), primary_key=True),
    Column("channel", String(20), primary_key=True),
)

skus = Table(
    "skus",
    metadata,
    Column("sku", String(60), primary_key=True),
    Column("product_id", String(40), ForeignKey("products.id"), nullable=False, index=True),
    Column("barcode", String(14), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
)

# Price per SKU per channel; the channel "*" is the list price every channel falls back to.
prices = Table(
    "prices",
    metadata,
    Column("sku", String(60), ForeignKey("skus.sku"), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("compare_at", BigInteger, nullable=True),
    CheckConstraint("amount >= 0", name="ck_prices_amount"),
)

locations = Table(
    "locations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(10), nullable=False),  # "dc" or "store"
    Column("name", String(120), nullable=False),
    Column("address", JSON, nullable=False),
    Column("city", String(80), nullable=False),
    Column("timezone", String(60), nullable=False),
    Column("pickup_enabled", Boolean, nullable=False, default=False),
    Column("tax_rate_bps", Integer, nullable=False, default=0),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    # Whether an offline register's sale may take this location below zero (the sale happened;
    # the shortfall is flagged as a stock conflict) or is rejected instead. Last, so the seed
    # loader's column order still matches the Location struct.
    Column("negative_stock_allowed", Boolean, nullable=False, default=False),
)

# The ordered list of locations each channel sells from (rank 0 first).
channel_locations = Table(
    "channel_locations",
    metadata,
    Column("channel", String(20), primary_key=True),
    Column("location_id", String(40), ForeignKey("locations.id"), primary_key=True),
    Column("rank", Integer, nullable=False),
)

inventory = Table(
    "inventory",
    metadata,
    Column("sku", String(60), ForeignKey("skus.sku"), primary_key=True),
    Column("location_id", String(40), ForeignKey("locations.id"), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, default=0),
    # What was on the shelf when the store was seeded: on_hand = opening + its movements.
    Column("opening_on_hand", Integer, nullable=False, default=0),
    # Set only by offline reconciliation, when a store whose policy allows it sold units it did
    # not have; a count clears it. Nothing else may take stock below zero or below what is held.
    Column("oversold", Boolean, nullable=False, default=False, server_default=false()),
    CheckConstraint("on_hand >= 0 OR oversold", name="ck_inventory_on_hand"),
    CheckConstraint(
        "reserved >= 0 AND (reserved <= on_hand OR oversold)", name="ck_inventory_reserved"
    ),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("email", String(200), nullable=False, unique=True),
    Column("phone", String(40), nullable=True),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

carts = Table(
    "carts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("device_id", String(80), nullable=True),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=True, index=True),
    Column("status", String(12), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    # Sign-in finds a device's anonymous cart by these; carts without a device skip the index.
    Index(
        "ix_carts_device",
        "device_id",
        "status",
        sqlite_where=text("device_id IS NOT NULL"),
        postgresql_where=text("device_id IS NOT NULL"),
    ),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("cart_id", String(40), ForeignKey("carts.id"), nullable=False),
    Column("sku", String(60), ForeignKey("skus.sku"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("added_at", Timestamp, nullable=False),
    UniqueConstraint("cart_id", "sku", name="uq_cart_lines_sku"),
    CheckConstraint("quantity > 0", name="ck_cart_lines_quantity"),
)

# The inventory ledger: every change to on_hand or reserved, in the transaction that made it.
stock_movements = Table(
    "stock_movements",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("sku", String(60), nullable=False),
    Column("location_id", String(40), nullable=False),
    Column("kind", String(20), nullable=False),  # reserve, release, sale, …
    Column("on_hand_delta", Integer, nullable=False),
    Column("reserved_delta", Integer, nullable=False),
    Column("order_id", String(40), nullable=True),
    Column("cart_id", String(40), nullable=True),
    Column("occurred_at", Timestamp, nullable=False),
    Column("reason", String(200), nullable=True),  # why stock was adjusted or transferred
    Index("ix_stock_movements_sku_location", "sku", "location_id"),
    # An order line's own movements, found by all three keys: with only the order id indexed
    # beside (sku, location), SQLite traced lines through the latter, and `omniloom verify`
    # scanned every movement of a best-selling SKU once per order line (minutes at 80,000).
    Index(
        "ix_stock_movements_order_line",
        "order_id",
        "sku",
        "location_id",
        sqlite_where=text("order_id IS NOT NULL"),
        postgresql_where=text("order_id IS NOT NULL"),
    ),
)

# Stock held for a cart (reserve-on-add policy) or an order (until it is fulfilled or cancelled).
reservations = Table(
    "reservations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("cart_id", String(40), nullable=True, index=True),
    Column("order_id", String(40), nullable=True, index=True),
    Column("sku", String(60), nullable=False),
    Column("location_id", String(40), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("expires_at", Timestamp, nullable=True, index=True),
    CheckConstraint("quantity > 0", name="ck_reservations_quantity"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("cart_id", String(40), nullable=False, unique=True),
    Column("customer_id", String(40), nullable=True, index=True),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("subtotal", BigInteger, nullable=False),
    Column("tax", BigInteger, nullable=False),
    Column("shipping", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("fulfilment", String(10), nullable=False),  # "ship" or "pickup"
    Column("location_id", String(40), nullable=True),
    Column("ship_to", JSON, nullable=True),
    Column("email", String(200), nullable=True),
    Column("placed_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    # How a shipped order was routed: {"rule": …, "located_by": …}; each line names its location.
    Column("routing", JSON, nullable=True),
    # The clock looks for uncollected pickups every time it moves. Partial, so shipped orders
    # (most of them) cost the index nothing.
    Index(
        "ix_orders_due_pickups",
        "placed_at",
        sqlite_where=text("fulfilment = 'pickup' AND status IN ('paid', 'ready_for_pickup')"),
        postgresql_where=text("fulfilment = 'pickup' AND status IN ('paid', 'ready_for_pickup')"),
    ),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("sku", String(60), nullable=False),
    Column("title", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("line_total", BigInteger, nullable=False),
    Column("tax", BigInteger, nullable=False),
    Column("location_id", String(40), nullable=False),
    # What a promotion took off the line (line_total is after it), and which promotion.
    Column("discount", BigInteger, nullable=False, default=0),
    Column("promotion_id", String(40), nullable=True),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("method", String(20), nullable=False),
    Column("card_brand", String(20), nullable=True),
    Column("card_last4", String(4), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# The event log: every committed change appends here in the same transaction.
events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    # Unique by construction (store ids never repeat); an index here would cost every write.
    Column("id", String(40), nullable=False),
    Column("type", String(60), nullable=False),
    Column("occurred_at", Timestamp, nullable=False),
    Column("channel", String(20), nullable=True),
    Column("customer_id", String(40), nullable=True),
    Column("cart_id", String(40), nullable=True),
    Column("order_id", String(40), nullable=True),
    Column("data", JSON, nullable=False),
    # The touchpoint view of the event: who, on which device and visit, about what, from where.
    Column("device_id", String(80), nullable=True),
    Column("session_id", String(40), nullable=True),
    Column("product_id", String(40), nullable=True),
    Column("sku", String(60), nullable=True),
    Column("location_id", String(40), nullable=True),
    Column("value", BigInteger, nullable=True),
    Column("campaign", JSON, nullable=True),
    Column("consent", JSON, nullable=True),
    # Journeys look events up by customer, stitching by device. Partial, so the many events
    # with neither (anonymous carts, devices that send no id) add nothing to either index.
    Index(
        "ix_events_customer",
        "customer_id",
        sqlite_where=text("customer_id IS NOT NULL"),
        postgresql_where=text("customer_id IS NOT NULL"),
    ),
    Index(
        "ix_events_device",
        "device_id",
        sqlite_where=text("device_id IS NOT NULL"),
        postgresql_where=text("device_id IS NOT NULL"),
    ),
)

# Returns: units of an order brought back to a store or sent by mail, and what was refunded.
returns = Table(
    "returns",
    metadata,
    Column("id", String(40), primary_key=True),
    # null: returned without a receipt
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=True, index=True),
    Column("location_id", String(40), nullable=True),  # null: by mail
    Column("refund_to", String(20), nullable=False),  # original, store_credit or exchange
    Column("amount", BigInteger, nullable=False),
    Column("store_credit_code", String(40), nullable=True),
    Column("channel", String(20), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("customer_id", String(40), nullable=True),
    Index("ix_returns_customer", "customer_id", "created_at"),
)

return_lines = Table(
    "return_lines",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("return_id", String(40), ForeignKey("returns.id"), nullable=False, index=True),
    Column("order_line_id", String(40), nullable=True, index=True),  # null: no receipt
    Column("sku", String(60), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("condition", String(10), nullable=False),  # restock or damaged
    Column("restocked_at", String(40), nullable=True),
    Column("amount", BigInteger, nullable=False),
    CheckConstraint("quantity > 0", name="ck_return_lines_quantity"),
)

# What an even exchange handed out in place of the units that came back (its return row).
exchange_lines = Table(
    "exchange_lines",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("return_id", String(40), ForeignKey("returns.id"), nullable=False, index=True),
    Column("sku", String(60), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("location_id", String(40), nullable=False),
    CheckConstraint("quantity > 0", name="ck_exchange_lines_quantity"),
)

# Promotions: percent off or buy X get Y, optionally for some channels and one category.
promotions = Table(
    "promotions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("channels", JSON, nullable=True),  # null: every channel
    Column("category_id", String(40), nullable=True),
    Column("percent_off", Integer, nullable=False, default=0),
    Column("buy_quantity", Integer, nullable=False, default=0),
    Column("get_quantity", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("percent_off BETWEEN 0 AND 100", name="ck_promotions_percent"),
)

# What a customer saved for later, from any channel.
wishlist_items = Table(
    "wishlist_items",
    metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("product_id", String(40), ForeignKey("products.id"), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("added_at", Timestamp, nullable=False),
)

# Product reviews: one per customer and product (writing again replaces it), each proved by an
# order of the product on any channel.
reviews = Table(
    "reviews",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("product_id", String(40), ForeignKey("products.id"), nullable=False),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=False, index=True),
    Column("order_id", String(40), nullable=False),  # the order that proves the purchase
    Column("rating", Integer, nullable=False),
    Column("title", String(200), nullable=True),
    Column("text", Text, nullable=True),
    Column("channel", String(20), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("product_id", "customer_id", name="uq_reviews_product_customer"),
    CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
    Index("ix_reviews_product", "product_id", "created_at"),
)

# What a customer agreed to, per purpose; every touchpoint carries a snapshot of it.
customer_consents = Table(
    "customer_consents",
    metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("purpose", String(30), primary_key=True),
    Column("granted", Boolean, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Shoppable posts: a post on a social platform that tags products.
social_posts = Table(
    "social_posts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("caption", Text, nullable=False),
    Column("product_ids", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Browsers and app installs that introduced themselves (apps with their push token).
devices = Table(
    "devices",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("app_version", String(40), nullable=True),
    Column("push_token", String(255), nullable=True),
    Column("registered_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# The visit each device is on: a new one starts after 30 minutes idle on the simulated clock.
device_sessions = Table(
    "device_sessions",
    metadata,
    Column("device_id", String(80), primary_key=True),
    Column("session_id", String(40), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(80), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("location_id", String(40), nullable=True),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", JSON, nullable=False),
)

# Fault rules (admin): chosen routes made slow, failing or dropped on purpose, for client teams
# testing their retries. In the database so every server process applies the same rules and
# counts into the same `matched`, which the n-th request's fault decision depends on.
fault_rules = Table(
    "fault_rules",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),  # rules apply in this order
    Column("method", String(10), nullable=False),
    Column("path", String(300), nullable=False),  # the route's template
    Column("operation_id", String(80), nullable=True),
    Column("channel", String(20), nullable=True),
    Column("kind", String(10), nullable=False),  # latency, status or drop
    Column("probability", Float, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("latency_ms", Integer, nullable=True),
    Column("status", Integer, nullable=True),
    Column("retry_after", Integer, nullable=True),
    Column("times", BigInteger, nullable=True),  # spent after this many faults
    Column("note", String(200), nullable=True),
    Column("matched", BigInteger, nullable=False),
    Column("injected", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# --- The store as a channel: registers, shifts, POS sales, gift cards -------------------------

# A till at a store. ``open_shift_id`` is set by a conditional UPDATE (… WHERE open_shift_id IS
# NULL), so two associates opening the same register at once get exactly one shift.
registers = Table(
    "registers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("location_id", String(40), ForeignKey("locations.id"), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("open_shift_id", String(40), nullable=True),
)

# An associate's session at a register; cash counters are kept as sales happen, so closing is
# one read: expected = opening float + cash taken − cash refunded.
pos_shifts = Table(
    "pos_shifts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("register_id", String(40), ForeignKey("registers.id"), nullable=False, index=True),
    Column("location_id", String(40), nullable=False),
    Column("status", String(10), nullable=False),  # "open" or "closed"
    Column("currency", String(3), nullable=False),
    Column("opened_by", String(80), nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    Column("opening_float", BigInteger, nullable=False),
    Column("cash_sales", BigInteger, nullable=False, default=0),
    Column("cash_refunds", BigInteger, nullable=False, default=0),
    Column("sales_count", Integer, nullable=False, default=0),
    Column("closed_by", String(80), nullable=True),
    Column("closed_at", Timestamp, nullable=True),
    Column("expected_cash", BigInteger, nullable=True),
    Column("counted_cash", BigInteger, nullable=True),
    Column("variance", BigInteger, nullable=True),
    CheckConstraint("opening_float >= 0", name="ck_pos_shifts_float"),
)

# A cart being rung up at a register: born there, or handed off from a web/app device.
pos_sales = Table(
    "pos_sales",
    metadata,
    Column("cart_id", String(40), primary_key=True),
    Column("register_id", String(40), ForeignKey("registers.id"), nullable=False),
    Column("location_id", String(40), nullable=False),
    Column("origin", String(10), nullable=False),  # "register" or "handoff"
    Column("status", String(10), nullable=False),  # "open", "voided" or "completed"
    Column("shift_id", String(40), nullable=True),  # the shift that took the payment
    Column("order_id", String(40), nullable=True, unique=True),
    Column("cash_tendered", BigInteger, nullable=False, default=0),
    Column("change_given", BigInteger, nullable=False, default=0),
    Column("opened_at", Timestamp, nullable=False),
    Column("closed_at", Timestamp, nullable=True),
)

# Endless aisle: what a sale orders for delivery instead of taking it off this store's shelf.
# Its lines live in a cart of their own (``ship_cart_id``), which becomes the shipped order.
pos_ship_to_home = Table(
    "pos_ship_to_home",
    metadata,
    Column("cart_id", String(40), primary_key=True),  # the sale's cart
    Column("ship_cart_id", String(40), nullable=False, unique=True),
    Column("ship_to", JSON, nullable=False),
    Column("order_id", String(40), nullable=True, unique=True),  # the shipped order, once paid
    Column("created_at", Timestamp, nullable=False),
)

# A cashier's price on one SKU of a sale, with why; the list price stays for the receipt.
pos_price_overrides = Table(
    "pos_price_overrides",
    metadata,
    Column("cart_id", String(40), primary_key=True),
    Column("sku", String(60), primary_key=True),
    Column("unit_price", BigInteger, nullable=False),
    Column("original_price", BigInteger, nullable=False),
    Column("reason_code", String(30), nullable=False),
    Column("associate_id", String(80), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint("unit_price >= 0", name="ck_pos_price_overrides_price"),
)

gift_cards = Table(
    "gift_cards",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("issued_at", Timestamp, nullable=False),
    CheckConstraint("balance >= 0", name="ck_gift_cards_balance"),
)

# Every change to a gift card's balance, so a refund can find the card a payment came from.
gift_card_transactions = Table(
    "gift_card_transactions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("code", String(40), ForeignKey("gift_cards.code"), nullable=False, index=True),
    Column("order_id", String(40), nullable=True, index=True),
    Column("payment_id", String(40), nullable=True),
    Column("amount", BigInteger, nullable=False),  # negative when redeemed
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# --- Identity: the identifiers, credentials and sign-in tokens of customers -------------------

# The identity graph: every identifier a customer is known by, in its normal form. A value
# belongs to at most one customer, so a lookup is one indexed read and a conflict is a fact the
# database enforces, not a race the code hopes to win.
customer_identifiers = Table(
    "customer_identifiers",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=False, index=True),
    Column("channel", String(20), nullable=True),  # where it was first seen
    Column("added_at", Timestamp, nullable=False),
)

customer_credentials = Table(
    "customer_credentials",
    metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("password_hash", String(128), nullable=False),
    Column("salt", String(64), nullable=False),  # hex
    Column("algorithm", String(60), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Bearer tokens, stored as their SHA-256 only; they expire on the simulated clock.
customer_tokens = Table(
    "customer_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=False, index=True),
    Column("issued_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
)

# A customer merged into another by an administrator (kept apart from ``customers`` so the seed
# loader's column order stays as it is).
customer_merges = Table(
    "customer_merges",
    metadata,
    Column("merged_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("survivor_id", String(40), ForeignKey("customers.id"), nullable=False, index=True),
    Column("merged_at", Timestamp, nullable=False),
)

# Short codes a shopper's app shows at the till so the register can load that same cart.
pos_handoff_codes = Table(
    "pos_handoff_codes",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("cart_id", String(40), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
)

# --- Offline registers: sales kept at a till without a connection, reconciled later ------------

# One uploaded batch per (register, client batch id): a register retrying after a lost response
# gets the first result back instead of selling the goods twice.
offline_batches = Table(
    "offline_batches",
    metadata,
    Column("register_id", String(40), ForeignKey("registers.id"), primary_key=True),
    Column("batch_id", String(80), primary_key=True),
    Column("location_id", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # SHA-256 of the batch as decoded
    Column("result", Text, nullable=False),  # the reconciliation report, as JSON
    Column("received_at", Timestamp, nullable=False),
)

# Each sale a register reported, once per (register, local id), whichever batch carried it.
offline_sales = Table(
    "offline_sales",
    metadata,
    Column("register_id", String(40), ForeignKey("registers.id"), primary_key=True),
    Column("local_id", String(80), primary_key=True),
    Column("batch_id", String(80), nullable=False),
    Column("location_id", String(40), nullable=False),
    Column("status", String(10), nullable=False),  # "applied" or "rejected"
    Column("order_id", String(40), nullable=True, unique=True),
    Column("occurred_at", Timestamp, nullable=False),  # the register's clock
    Column("reconciled_at", Timestamp, nullable=False),  # the server's
)

# What reconciliation could not square with the books, kept until someone deals with it:
# ``oversold`` (applied, stock went short; open until counted), ``insufficient_stock`` and
# ``payment_declined`` / ``gift_card_insufficient`` (the sale was rejected).
stock_conflicts = Table(
    "stock_conflicts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("status", String(10), nullable=False),  # "open", "resolved" or "rejected"
    Column("location_id", String(40), nullable=False),
    Column("register_id", String(40), nullable=False),
    Column("batch_id", String(80), nullable=False),
    Column("local_id", String(80), nullable=False),
    Column("order_id", String(40), nullable=True),
    Column("sku", String(60), nullable=True),  # null for a payment conflict
    Column("quantity", Integer, nullable=True),  # units the sale took
    Column("shortfall", Integer, nullable=True),  # of which the books did not have
    Column("detail", String(200), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("counted", Integer, nullable=True),  # the count that resolved it
    Column("resolved_at", Timestamp, nullable=True),
    Index("ix_stock_conflicts_open", "sku", "location_id", "status"),
    Index("ix_stock_conflicts_location", "location_id", "created_at"),
)

# --- Messaging: consent per channel, the outbox, tracked links ----------------------------------

# What a customer agreed to per messaging channel (and for tracking), where and when.
messaging_consents = Table(
    "messaging_consents",
    metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("state", String(20), nullable=False),
    # Where it was given: the door (web, mobile, pos, sms reply, admin) and a free note.
    Column("source", String(80), nullable=False),
    Column("given_at", Timestamp, nullable=False),
)

# Customers and devices whose behaviour is not recorded (tracking refused). Devices are listed
# too, so an anonymous search on a refusing shopper's phone is not stitched to them later.
tracking_refusals = Table(
    "tracking_refusals",
    metadata,
    Column("subject", String(80), primary_key=True),
    Column("customer_id", String(40), nullable=False, index=True),
)

# The shopper's time zone for quiet hours.
messaging_preferences = Table(
    "messaging_preferences",
    metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("timezone", String(60), nullable=False),
)

# Every message omniloom sent or refused to send. Delivery moments are planned when it is
# queued, so its state is read against the simulated clock without any sweep.
messages = Table(
    "messages",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("channel", String(20), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("campaign", String(80), nullable=True),
    Column("customer_id", String(40), nullable=True, index=True),
    Column("recipient", String(200), nullable=True),
    Column("subject", String(200), nullable=True),
    Column("body", Text, nullable=False),
    Column("cart_id", String(40), nullable=True),
    # A product the message shows (a browsed one, one bought): its tracked link opens it.
    Column("product_id", String(40), nullable=True),
    Column("flow_run_id", String(40), nullable=True),
    Column("link_token", String(60), nullable=True, unique=True),
    # queued (then sent, delivered, failed, opened, clicked by the clock) or suppressed.
    Column("outcome", String(20), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("queued_at", Timestamp, nullable=False),
    Column("sent_at", Timestamp, nullable=True),
    Column("delivered_at", Timestamp, nullable=True),
    Column("failed_at", Timestamp, nullable=True),
    Column("opened_at", Timestamp, nullable=True),
    Column("clicked_at", Timestamp, nullable=True),
    Column("fallback_from", String(20), nullable=True),
)

# Automation flows, stored as the validated JSON they were defined with.
messaging_flows = Table(
    "messaging_flows",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    # Carts that fell idle up to this instant have been looked at for this flow.
    Column("scanned_until", Timestamp, nullable=True),
    # Flows started by events (views, orders, pickups, returns) have read the log up to here.
    Column("scanned_seq", BigInteger, nullable=True),
)

# One shopper going through one flow for one subject (a cart, an order, the view or return that
# started it): at most one run per (flow, subject), so a duplicate or late event can never
# start a second series of messages.
flow_runs = Table(
    "flow_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("flow_id", String(80), nullable=False),
    Column("customer_id", String(40), nullable=False, index=True),
    Column("subject", String(40), nullable=False),
    Column("cart_id", String(40), nullable=True),
    Column("order_id", String(40), nullable=True),
    # active, completed, converted (bought), or exited (cart emptied, closed, out of stock,
    # added to a cart after browsing, the order cancelled or returned).
    Column("status", String(20), nullable=False),
    Column("step", Integer, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("last_activity_at", Timestamp, nullable=False),
    Column("due_at", Timestamp, nullable=True),
    Column("exit_reason", String(40), nullable=True),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("flow_id", "subject", name="uq_flow_runs_subject"),
    Index("ix_flow_runs_due", "status", "due_at"),
)

# Signed-in shoppers' active carts by when they were last touched, for abandonment. Partial, so
# anonymous carts (most of a load test's) cost it nothing.
Index(
    "ix_carts_idle",
    carts.c.updated_at,
    sqlite_where=text("customer_id IS NOT NULL AND status = 'active'"),
    postgresql_where=text("customer_id IS NOT NULL AND status = 'active'"),
)

# Webhook endpoints: where integrations want events, signed with their secret.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("url", String(500), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(200), nullable=True),
    Column("secret", String(80), nullable=False),
    # After a rotation the old secret still signs (beside the new one) until this instant.
    Column("previous_secret", String(80), nullable=True),
    Column("previous_until", Timestamp, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # Events after start_seq (the last one when it subscribed) are delivered; the fan-out has
    # looked at those up to after_seq.
    Column("start_seq", BigInteger, nullable=False),
    Column("after_seq", BigInteger, nullable=False),
)

# One event to one endpoint: written from the event log (which is written in the same
# transaction as the change), so nothing is lost across a restart. Its id is the webhook-id.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("endpoint_id", String(40), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("payload", Text, nullable=False),
    # pending (an attempt is due at next_attempt_at), delivered, or failed (attempts spent).
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("delivered_at", Timestamp, nullable=True),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# The delivery log: every attempt, what the receiver answered, on the simulated clock.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("delivery_id", String(40), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("at", Timestamp, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(200), nullable=True),
)

# --- security: sign-in throttling -----------------------------------------------------------
# Failed sign-ins counted per subject ("account:<email>", "device:<id>" or "client:<address>")
# within a window on the simulated clock; a subject that reached the limit is locked until
# ``locked_until``. Kept in the database, so every server process counts the same failures.
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("subject", String(240), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", Timestamp, nullable=False),
    Column("locked_until", Timestamp, nullable=True),
)

# --- named snapshots of the store (admin) ----------------------------------------------------
# Kept beside the store rather than in it: a reset or a restore replaces every other table and
# leaves these alone (store/store_contents.py), so a snapshot outlives the state it returns to.
snapshots = Table(
    "snapshots",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("taken_at", Timestamp, nullable=False),  # on the wall clock
    # The simulated clock then: its time and how fast it ran (null on the system clock).
    Column("clock", Timestamp, nullable=True),
    Column("clock_factor", Float, nullable=False),
    Column("id_sequence", BigInteger, nullable=False),
    Column("counts", JSON, nullable=False),  # rows per table
)

# A snapshot's rows, a table's at a time in parts of bounded size (msgpack: column names, rows).
snapshot_parts = Table(
    "snapshot_parts",
    metadata,
    Column("snapshot", String(64), primary_key=True),
    Column("table_name", String(60), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
