"""A seeded random mix of everything shoppers, cashiers and staff do, and the store still adds up.

Operations are drawn by weight from a registry (one function per kind): app and web carts and
checkouts (ship and pickup, some cards declined), social orders, the till (shifts, sales, scans,
hand-offs from the app, voids, every tender, ship-to-home from the endless aisle), offline
register batches and the counts that settle their oversells, order moves, returns at a store and
by mail, even exchanges, returns without a receipt, and clock jumps that expire holds and cancel
pickups nobody collects. Each operation picks from a model of what exists (open carts, orders
and their states, returnable lines, open shifts, hand-off codes, gift cards) and sometimes picks
wrong on purpose; the model says what must happen, and every refusal must be a problem+json 4xx
with the code the model expects. At the end `verify` must pass, and the test checks stock per SKU
and location (against the inventory ledger and the storefront), money per order and gift-card
balances against its own model.

Reproduce a failure with the seed it prints: OMNILOOM_RANDOM_SEED=<seed>; run longer with
OMNILOOM_RANDOM_OPS=<n>.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, update

from omniloom.config import Settings
from omniloom.domain.money import tax_on
from omniloom.store import tables as t
from omniloom.store.database import Database
from tests.support.api import APPROVED_CARD, HOME, SHIP_TO, Client, headers, verified
from tests.support.pos import NEW_YORK, NYC_TAX_BPS
from tests.support.store import (
    ADMIN_KEY,
    GIFT_CARDS,
    MOBILE_KEY,
    NYC,
    NYC_REGISTERS,
    POS_KEY,
    SEA,
    SEA_REGISTER,
    SKUS,
    WEB_KEY,
)

SEED = int(os.environ.get("OMNILOOM_RANDOM_SEED", "20261102"))
OPERATIONS = int(os.environ.get("OMNILOOM_RANDOM_OPS", "1000"))
# The mini store's stock times this, so a long run keeps selling instead of only refusing.
DEPTH = 10
LOCATIONS = ("loc_dc_columbus", NYC, SEA)
SOCIAL_KEY = "olk_social_demo"
APP_KEYS = (WEB_KEY, MOBILE_KEY)
CARD = APPROVED_CARD
DECLINES = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}
BARCODES = {sku: f"400000000{index:04d}" for index, sku in enumerate(SKUS)}
EMPTY_GIFT_CARD = "GC-1000-0003"
NO_SHOW = timedelta(days=7)
RETURN_WINDOW = timedelta(days=30)
HANDED_OVER = ("fulfilled", "picked_up")
SWAP = {"SKU-TEE-M": "SKU-TEE-L", "SKU-TEE-L": "SKU-TEE-M"}  # same price, another size
ADA = "cus_000001"
RECEIPTLESS_LIMIT = 3
RECEIPTLESS_WINDOW = timedelta(days=30)
# Which moves the model allows, written out from the README, not from the domain table.
MOVES = {
    ("ship", "paid"): {"fulfilled", "cancelled"},
    ("pickup", "paid"): {"ready_for_pickup", "cancelled"},
    ("pickup", "ready_for_pickup"): {"picked_up", "cancelled"},
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Stock held on add to cart, so clock jumps have holds to expire.
    return dataclasses.replace(settings, reservation_policy="add_to_cart")


@pytest.fixture
def store_db(store_db: Database) -> Database:
    def deepen(conn: Connection) -> None:
        inventory = t.inventory.c
        conn.execute(
            update(t.inventory).values(
                on_hand=inventory.on_hand * DEPTH, opening_on_hand=inventory.opening_on_hand * DEPTH
            )
        )

    store_db.run_blocking(deepen)
    return store_db


# The model: what the test believes exists. -------------------------------------------------


@dataclass
class AppCart:
    key: str
    view: dict[str, Any]


@dataclass
class Order:
    id: str
    channel: str
    fulfilment: str
    status: str
    total: int
    placed_at: datetime
    lines: dict[str, dict[str, Any]]
    gift_card: str | None = None  # the gift card that paid part of it, credited on refund
    gift_paid: int = 0  # what that gift card paid
    returned: Counter[str] = field(default_factory=Counter)
    refunded: int = 0  # refunded to its tenders by returns

    def returnable(self) -> dict[str, int]:
        left = {
            line_id: line["quantity"] - self.returned[line_id]
            for line_id, line in self.lines.items()
        }
        return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}


@dataclass
class Shift:
    id: str
    opening_float: int
    cash: int = 0
    sales: int = 0


@dataclass
class Sale:
    register: str
    view: dict[str, Any]
    ship_subtotal: int = 0  # what it ships home (endless aisle), before tax


@dataclass
class HandoffCode:
    code: str
    cart_id: str
    expires_at: datetime
    used: bool = False


@dataclass
class OfflineSale:
    register: str
    body: dict[str, Any]
    total: int
    declined: bool
    gift_card: str | None
    cash: int  # what stays in the drawer


@dataclass
class Batch:
    register: str
    body: dict[str, Any]
    result: dict[str, Any]
    sales: list[OfflineSale]


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _by_sku(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines in an order that does not depend on their ids, which are random on PostgreSQL; so
    one seed replays the same run on either backend."""
    return sorted(lines, key=lambda line: (line["sku"], line.get("location_id", "")))


@dataclass
class World:
    client: Client
    rng: random.Random
    now: datetime
    carts: dict[str, AppCart] = field(default_factory=dict)
    closed_carts: list[str] = field(default_factory=list)
    orders: dict[str, Order] = field(default_factory=dict)
    shifts: dict[str, Shift] = field(default_factory=dict)  # register → its open shift
    sales: dict[str, Sale] = field(default_factory=dict)  # cart id → open sale at a register
    codes: list[HandoffCode] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)  # offline batches the store took
    serial: Iterator[int] = field(default_factory=itertools.count)
    receiptless: list[tuple[str, datetime]] = field(default_factory=list)  # customer, when
    gift_cards: dict[str, int] = field(default_factory=lambda: dict(GIFT_CARDS))
    # Units put on or taken off a shelf by no order line: restocked returns, exchanges, counts.
    shelved: Counter[tuple[str, str]] = field(default_factory=Counter)
    succeeded: Counter[str] = field(default_factory=Counter)
    refused: Counter[tuple[str, str]] = field(default_factory=Counter)

    async def send(
        self,
        op: str,
        method: str,
        path: str,
        key: str,
        body: Any = None,
        *,
        expect: str | None = None,
        may: tuple[str, ...] = (),
        extra: dict[str, str] | None = None,
    ) -> Any:
        """Send one request; return its JSON on success, None on an allowed refusal.

        ``expect`` is the refusal code the model predicts (None: it predicts success); ``may``
        lists refusals the model cannot rule out (stock another channel took meanwhile).
        """
        response = await self.client.request(
            method, path, json=body, headers=headers(key, **(extra or {}))
        )
        status = response.status_code
        told = f"{op}: {method} {path} {body!r} -> {status} {response.text}"
        assert status < 500, told
        if status < 300:
            assert expect is None, f"expected {expect}; {told}"
            self.succeeded[op] += 1
            return response.json()
        assert status < 500 and response.headers["content-type"].startswith(
            "application/problem+json"
        ), told
        code = response.json()["code"]
        assert code in (expect, *may), f"expected {expect or 'success'} or {may}; {told}"
        self.refused[(op, code)] += 1
        return None

    def place(self, order: dict[str, Any], gift_card: str | None = None) -> None:
        paid = sum(payment["amount"] for payment in order["payments"])
        assert paid == order["total"] == order["subtotal"] + order["tax"] + order["shipping"]
        self.orders[order["id"]] = Order(
            order["id"],
            order["channel"],
            order["fulfilment"],
            order["status"],
            order["total"],
            _at(order["placed_at"]),
            {line["id"]: line for line in _by_sku(order["lines"])},
            gift_card,
            sum(p["amount"] for p in order["payments"] if p["method"] == "gift_card"),
        )
        assert gift_card is not None or not self.orders[order["id"]].gift_paid

    def cancelled(self, order: Order) -> None:
        """Cancelled before it was handed over: every payment refunded, gift cards credited."""
        order.status = "cancelled"
        if order.gift_card is not None:
            self.gift_cards[order.gift_card] += order.gift_paid

    def open_register(self) -> str | None:
        """Mostly a till with an open shift, now and then one without; None when the caller
        should open a shift first."""
        if self.shifts and self.rng.random() < 0.9:
            return self.rng.choice(list(self.shifts))
        if not self.shifts and self.rng.random() < 0.7:
            return None
        return self.rng.choice(NYC_REGISTERS)

    def sale(self, wanted: Callable[[Sale], bool] = lambda sale: True) -> str | None:
        """An open sale, mostly on a till whose shift is open; None when there is none."""
        found = [cart_id for cart_id, sale in self.sales.items() if wanted(sale)]
        staffed = [cart_id for cart_id in found if self.sales[cart_id].register in self.shifts]
        if staffed and self.rng.random() < 0.9:
            return self.rng.choice(staffed)
        return self.rng.choice(found) if found else None

    def line_of_another_order(self, order: Order) -> str:
        others = [
            line for other in self.orders.values() if other is not order for line in other.lines
        ]
        return self.rng.choice(others) if others else "oline_never_sold"


Op = Callable[[World], Awaitable[None]]


# Web and app carts. -------------------------------------------------------------------------


async def create_cart(w: World) -> None:
    key = w.rng.choice(APP_KEYS)
    cart = await w.send("create_cart", "POST", "/v1/carts", key, {})
    w.carts[cart["id"]] = AppCart(key, cart)


def _closed_app_carts(w: World) -> list[str]:
    """Closed carts the shopper's app holds the token of (a till's own sales it never saw:
    to the app those are carts that do not exist)."""
    held = getattr(w.client, "wallet").tokens  # noqa: B009  (a ShopperClient's)
    return [cart_id for cart_id in w.closed_carts if cart_id in held]


def _app_key(w: World, cart: AppCart) -> str:
    # The same cart is touched from the other device now and then.
    return cart.key if w.rng.random() < 0.8 else w.rng.choice(APP_KEYS)


async def add_to_cart(w: World) -> None:
    closed_carts = _closed_app_carts(w)
    if closed_carts and w.rng.random() < 0.04:
        closed = w.rng.choice(closed_carts)
        body = {"sku": w.rng.choice(list(SKUS)), "quantity": 1}
        await w.send(
            "add_to_cart",
            "POST",
            f"/v1/carts/{closed}/lines",
            WEB_KEY,
            body,
            expect="cart_not_active",
        )
        return
    if not w.carts:
        return await create_cart(w)
    cart_id = w.rng.choice(list(w.carts))
    cart = w.carts[cart_id]
    unknown = w.rng.random() < 0.05
    body = {
        "sku": "SKU-NEVER-MADE" if unknown else w.rng.choice(list(SKUS)),
        "quantity": w.rng.choice((1, 1, 2, 3)),
    }
    view = await w.send(
        "add_to_cart",
        "POST",
        f"/v1/carts/{cart_id}/lines",
        _app_key(w, cart),
        body,
        expect="unknown_sku" if unknown else None,
        may=("insufficient_stock",),
    )
    if view:
        cart.view = view


async def change_line(w: World) -> None:
    with_lines = [cart_id for cart_id, cart in w.carts.items() if cart.view["lines"]]
    if not with_lines:
        return await add_to_cart(w)
    cart_id = w.rng.choice(with_lines)
    cart = w.carts[cart_id]
    key = _app_key(w, cart)
    read = await w.client.get(f"/v1/carts/{cart_id}", headers=headers(key))
    assert read.status_code == 200, read.text
    current = read.json()
    assert current["version"] >= cart.view["version"]
    line = w.rng.choice(_by_sku(current["lines"]))
    path = f"/v1/carts/{cart_id}/lines/{line['id']}"
    roll = w.rng.random()
    if roll < 0.25:
        # Another device changed the cart since this one read it.
        stale = {"If-Match": f'"{current["version"] - 1}"'}
        body = {"quantity": 1}
        await w.send(
            "change_line", "PATCH", path, key, body, expect="cart_version_conflict", extra=stale
        )
        return
    fresh = {"If-Match": f'"{current["version"]}"'}
    if roll < 0.4:
        view = await w.send("change_line", "DELETE", path, key, extra=fresh)
    else:
        body = {"quantity": w.rng.randint(1, 3)}
        view = await w.send(
            "change_line", "PATCH", path, key, body, may=("insufficient_stock",), extra=fresh
        )
    cart.view = view or current


async def _pickup_store(w: World, lines: list[dict[str, Any]]) -> str:
    """A store the product pages show has every line in stock, as a shopper would pick; any
    store when none has."""
    stores = w.rng.sample((NYC, SEA), 2)
    available = Counter[tuple[str, str]]()
    for product_id in sorted({line["product_id"] for line in lines}):
        shown = await w.client.get(f"/v1/products/{product_id}", headers=headers(WEB_KEY))
        for entry in shown.json()["skus"]:
            for level in entry["stock"]:
                available[(entry["sku"], level["location_id"])] = level["available"]
    for store in stores:
        if all(available[(line["sku"], store)] >= line["quantity"] for line in lines):
            return store
    return stores[0]


async def checkout(w: World) -> None:
    if not w.carts:
        return await create_cart(w)
    with_lines = [cart_id for cart_id, cart in w.carts.items() if cart.view["lines"]]
    if not with_lines and w.rng.random() < 0.8:
        return await add_to_cart(w)
    cart_id = w.rng.choice(with_lines if with_lines and w.rng.random() < 0.95 else list(w.carts))
    cart = w.carts[cart_id]
    card, expect = CARD, None
    if w.rng.random() < 0.45:
        store = await _pickup_store(w, cart.view["lines"])
        fulfilment: dict[str, Any] = {"type": "pickup", "location_id": store}
    else:
        fulfilment = {"type": "ship", "address": SHIP_TO}
    trouble = w.rng.random()
    if not cart.view["lines"]:
        expect = "cart_empty"
    elif trouble < 0.06:
        fulfilment = {"type": "pickup", "location_id": LOCATIONS[0]}  # a warehouse has no counter
        expect = "pickup_unavailable"
    elif trouble < 0.2:
        card = w.rng.choice(sorted(DECLINES))
        expect = DECLINES[card]
    body = {"fulfilment": fulfilment, "payment": {"method": "card", "card_number": card}}
    order = await w.send(
        "checkout",
        "POST",
        f"/v1/carts/{cart_id}/checkout",
        _app_key(w, cart),
        body,
        expect=expect,
        may=("insufficient_stock",),
    )
    if order:
        assert order["status"] == "paid" and order["cart_id"] == cart_id
        w.place(order)
        del w.carts[cart_id]
        w.closed_carts.append(cart_id)


async def social_order(w: World) -> None:
    skus = w.rng.sample(list(SKUS), w.rng.randint(1, 2))
    items = [{"sku": sku, "quantity": w.rng.randint(1, 2)} for sku in skus]
    card, expect = CARD, None
    roll = w.rng.random()
    if roll < 0.05:
        items.append({"sku": "SKU-NEVER-MADE", "quantity": 1})
        expect = "unknown_sku"
    elif roll < 0.12:
        card = w.rng.choice(sorted(DECLINES))
        expect = DECLINES[card]
    body = {
        "platform": w.rng.choice(("instagram", "tiktok", "facebook", "pinterest")),
        "handle": f"@shopper{w.rng.randint(1, 40)}",
        "items": items,
        "ship_to": SHIP_TO,
        "payment": {"method": "card", "card_number": card},
    }
    order = await w.send(
        "social_order",
        "POST",
        "/v1/social/orders",
        SOCIAL_KEY,
        body,
        expect=expect,
        may=("insufficient_stock",),
    )
    if order:
        assert (order["channel"], order["status"]) == ("social", "paid")
        w.place(order)


# The till. ------------------------------------------------------------------------------------


async def open_shift(w: World) -> None:
    register = w.rng.choice(NYC_REGISTERS)
    expect = "shift_already_open" if register in w.shifts else None
    if w.rng.random() < 0.04:
        register, expect = SEA_REGISTER, "out_of_scope"  # the New York key, a Seattle till
    opening_float = w.rng.choice((0, 10_000, 20_000))
    body = {"associate_id": f"emp_{w.rng.randint(1, 9)}", "opening_float": opening_float}
    shift = await w.send(
        "open_shift", "POST", f"/v1/pos/registers/{register}/shifts", POS_KEY, body, expect=expect
    )
    if shift:
        w.shifts[register] = Shift(shift["id"], opening_float)


async def close_shift(w: World, register: str | None = None) -> None:
    if not w.shifts:
        return await open_shift(w)
    register = register or w.rng.choice(list(w.shifts))
    shift = w.shifts.pop(register)
    expected = shift.opening_float + shift.cash
    counted = max(0, expected + w.rng.choice((0, 0, 0, -500, 250)))
    body = {"associate_id": "emp_1", "counted_cash": counted}
    closed = await w.send("close_shift", "POST", f"/v1/pos/shifts/{shift.id}/close", POS_KEY, body)
    assert (closed["status"], closed["expected_cash"], closed["sales_count"]) == (
        "closed",
        expected,
        shift.sales,
    )
    assert closed["variance"] == counted - expected


async def start_sale(w: World) -> None:
    register = w.open_register()
    if register is None:
        return await open_shift(w)
    expect = None if register in w.shifts else "shift_not_open"
    sale = await w.send(
        "start_sale", "POST", f"/v1/pos/registers/{register}/sales", POS_KEY, {}, expect=expect
    )
    if sale:
        w.sales[sale["cart_id"]] = Sale(register, sale)


def _sale_to_ring(w: World) -> tuple[str, Sale, str | None] | None:
    """An open sale to add to, and the refusal its till predicts (no open shift there)."""
    cart_id = w.sale()
    if cart_id is None:
        return None
    sale = w.sales[cart_id]
    return cart_id, sale, None if sale.register in w.shifts else "shift_not_open"


async def scan(w: World) -> None:
    ringing = _sale_to_ring(w)
    if ringing is None:
        return await start_sale(w)
    cart_id, sale, expect = ringing
    unknown = w.rng.random() < 0.06
    if unknown:
        expect = "unknown_barcode"  # looked up before anything else
    body = {
        "barcode": "9999999999999" if unknown else BARCODES[w.rng.choice(list(SKUS))],
        "quantity": w.rng.choice((1, 1, 1, 2)),
    }
    view = await w.send(
        "scan",
        "POST",
        f"/v1/pos/sales/{cart_id}/scan",
        POS_KEY,
        body,
        expect=expect,
        may=("insufficient_stock",),
    )
    if view:
        sale.view = view


async def issue_handoff_code(w: World) -> None:
    closed_carts = _closed_app_carts(w)
    if closed_carts and w.rng.random() < 0.05:
        closed = w.rng.choice(closed_carts)
        await w.send(
            "issue_handoff_code",
            "POST",
            "/v1/pos/handoff-codes",
            MOBILE_KEY,
            {"cart_id": closed},
            expect="cart_not_active",
        )
        return
    if not w.carts:
        return await create_cart(w)
    cart_id = w.rng.choice(list(w.carts))
    issued = await w.send(
        "issue_handoff_code",
        "POST",
        "/v1/pos/handoff-codes",
        w.carts[cart_id].key,
        {"cart_id": cart_id},
    )
    w.codes.append(HandoffCode(issued["code"], cart_id, _at(issued["expires_at"])))


async def hand_off(w: World) -> None:
    """The register loads an app cart, by the code the app shows or by the cart's id."""
    register = w.open_register()
    if register is None:
        return await open_shift(w)
    code: HandoffCode | None = None
    if w.codes and w.rng.random() < 0.6:
        code = w.rng.choice(w.codes)
        cart_id, body = code.cart_id, {"code": code.code}
    elif w.carts:
        cart_id = w.rng.choice(list(w.carts))
        body = {"cart_id": cart_id}
    else:
        return await issue_handoff_code(w)
    if register not in w.shifts:
        expect: str | None = "shift_not_open"
    elif code is not None and (code.used or code.expires_at <= w.now):
        expect = "invalid_input"
    elif cart_id not in w.carts:
        expect = "cart_not_active"  # checked out, or already at a register
    else:
        expect = None
    sale = await w.send(
        "hand_off", "POST", f"/v1/pos/registers/{register}/handoff", POS_KEY, body, expect=expect
    )
    if sale:
        assert (sale["cart_id"], sale["origin"]) == (cart_id, "handoff")
        if code is not None:
            code.used = True
        del w.carts[cart_id]
        w.sales[cart_id] = Sale(register, sale)


async def void_line(w: World) -> None:
    cart_id = w.sale(lambda sale: bool(sale.view["lines"]))
    if cart_id is None:
        return await scan(w)
    sale = w.sales[cart_id]
    line = w.rng.choice(_by_sku(sale.view["lines"]))
    path = f"/v1/pos/sales/{cart_id}/lines/{line['id']}/void"
    sale.view = await w.send("void_line", "POST", path, POS_KEY)
    assert line["id"] not in {entry["id"] for entry in sale.view["lines"]}


async def void_sale(w: World) -> None:
    cart_id = w.sale()
    if cart_id is None:
        return await start_sale(w)
    body = {"reason": "shopper changed their mind"}
    voided = await w.send("void_sale", "POST", f"/v1/pos/sales/{cart_id}/void", POS_KEY, body)
    assert voided["status"] == "voided"
    del w.sales[cart_id]
    w.closed_carts.append(cart_id)


def _tenders(w: World, total: int) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """Tenders for ``total``, the refusal they must get (None when they are good) and the gift
    card they use."""
    card = {"type": "card", "card_number": CARD, "amount": total}
    with_balance = [code for code, balance in w.gift_cards.items() if balance > 0]
    roll = w.rng.random()
    if total < 2 or roll < 0.3:
        return [card], None, None
    if roll < 0.55:
        tendered = w.rng.choice((total, (total // 1000 + 1) * 1000, (total // 5000 + 1) * 5000))
        return [{"type": "cash", "tendered": tendered}], None, None
    if roll < 0.72 and with_balance:
        code = w.rng.choice(with_balance)
        part = w.rng.randint(1, min(w.gift_cards[code], total - 1))
        gift = {"type": "gift_card", "code": code, "amount": part}
        return [gift, {**card, "amount": total - part}], None, code
    if roll < 0.74:
        part = w.rng.randint(1, total - 1)
        cash = {"type": "cash", "tendered": total - part + w.rng.choice((0, 100, 2000))}
        return [{**card, "amount": part}, cash], None, None
    if roll < 0.9:
        return [{"type": "cash", "tendered": total - 1}], "tender_short", None
    if roll < 0.95:
        number = w.rng.choice(sorted(DECLINES))
        return [{**card, "card_number": number}], DECLINES[number], None
    empty = {"type": "gift_card", "code": EMPTY_GIFT_CARD, "amount": 1}
    return [empty, {**card, "amount": total - 1}], "gift_card_insufficient", None


def _open_tenders(w: World, least: int) -> tuple[list[dict[str, Any]], str | None]:
    """Tenders for a sale that ships some of it home: tax on that part depends on where it ships
    from, known only at payment, so the total is at least ``least`` (the DC charges no tax). A
    card or gift-card part first, then cash with plenty to spare; the till gives change."""
    cash = {"type": "cash", "tendered": least + least // 4 + 1000}
    if least < 2 or w.rng.random() < 0.4:
        return [cash], None
    part = w.rng.randint(1, least - 1)
    with_balance = [code for code, balance in w.gift_cards.items() if balance > 0]
    if with_balance and w.rng.random() < 0.3:
        code = w.rng.choice(with_balance)
        gift = {"type": "gift_card", "code": code, "amount": min(part, w.gift_cards[code])}
        return [gift, cash], code
    return [{"type": "card", "card_number": CARD, "amount": part}, cash], None


async def pay(w: World) -> None:
    cart_id = w.sale(lambda sale: bool(sale.view["lines"] or sale.ship_subtotal))
    if cart_id is None:
        return await scan(w)
    sale = w.sales[cart_id]
    read = await w.client.get(f"/v1/pos/sales/{cart_id}", headers=headers(POS_KEY))
    assert read.status_code == 200, read.text
    view = read.json()
    assert (view["lines"], view["total"]) == (sale.view["lines"], sale.view["total"])
    assert view["total"] == view["subtotal"] + view["tax"]
    least = view["total"] + sale.ship_subtotal
    if sale.ship_subtotal:
        (tenders, gift_card), expect = _open_tenders(w, least), None
    else:
        tenders, expect, gift_card = _tenders(w, least)
    may: tuple[str, ...] = ("insufficient_stock",)
    if sale.register not in w.shifts:
        expect, may = "shift_not_open", ()
    elif expect == "tender_short":
        may = ()  # tender arithmetic comes before the shelf
    path = f"/v1/pos/sales/{cart_id}/pay"
    receipt = await w.send(
        "pay", "POST", path, POS_KEY, {"tenders": tenders}, expect=expect, may=may
    )
    if receipt is None:
        return
    total = receipt["total"]
    assert total == least if not sale.ship_subtotal else total >= least
    assert sum(tender["amount"] for tender in receipt["tenders"]) == total
    cash = sum(tender["amount"] for tender in receipt["tenders"] if tender["type"] == "cash")
    handed = sum(tender.get("tendered", 0) for tender in tenders if tender["type"] == "cash")
    assert receipt["change"] == handed - cash
    shift = w.shifts[sale.register]
    shift.cash += cash
    shift.sales += 1
    for tender in tenders:
        if tender["type"] == "gift_card":
            w.gift_cards[tender["code"]] -= tender["amount"]
    home = (receipt.get("ship_to_home") or {}).get("order_id")
    placed = {receipt["order_id"], home} - {None}
    for order_id in sorted(placed):
        order = (await w.client.get(f"/v1/orders/{order_id}", headers=headers(ADMIN_KEY))).json()
        kind = (order["channel"], order["fulfilment"], order["status"])
        assert kind == (
            ("pos", "ship", "paid") if order_id == home else ("pos", "pickup", "picked_up")
        )
        w.place(order, gift_card)
    assert sum(w.orders[order_id].total for order_id in placed) == total
    del w.sales[cart_id]
    w.closed_carts.append(cart_id)


async def ship_to_home(w: World) -> None:
    """Endless aisle: the till orders what its shelf lacks, delivered from where the shop ships."""
    ringing = _sale_to_ring(w)
    if ringing is None:
        return await start_sale(w)
    cart_id, sale, expect = ringing
    unknown = w.rng.random() < 0.05
    if unknown and expect is None:
        expect = "unknown_sku"
    sku = w.rng.choice(("SKU-MUG", "SKU-MUG", "SKU-TEE-L", "SKU-LAMP"))
    body = {"sku": "SKU-NEVER-MADE" if unknown else sku, "quantity": w.rng.randint(1, 2)}
    path = f"/v1/pos/sales/{cart_id}/ship-to-home"
    listed = await w.send(
        "ship_to_home",
        "POST",
        path,
        POS_KEY,
        {**body, "address": HOME},
        expect=expect,
        may=("insufficient_stock",),
    )
    if listed:
        assert listed["shipping"] == 0
        assert listed["subtotal"] == sum(line["line_total"] for line in listed["lines"])
        sale.ship_subtotal = listed["subtotal"]


# Offline registers. ---------------------------------------------------------------------------


def _offline_sale(w: World, register: str, number: int) -> OfflineSale:
    """A sale the till rang up while offline, earlier today by its own clock."""
    lines, line_totals = [], []
    for sku in w.rng.sample(list(SKUS), w.rng.randint(1, 2)):
        line: dict[str, Any] = {"barcode": BARCODES[sku], "quantity": w.rng.randint(1, 2)}
        price = SKUS[sku][1]
        if w.rng.random() < 0.15:
            price = line["unit_price"] = price - 500  # the till still had last week's price
        lines.append(line)
        line_totals.append(price * line["quantity"])
    total = sum(line_totals) + sum(tax_on(amount, NYC_TAX_BPS) for amount in line_totals)
    at = w.now - timedelta(minutes=w.rng.randint(1, 600))
    body: dict[str, Any] = {
        "local_id": f"{register}-{number:05d}",
        "occurred_at": at.astimezone(NEW_YORK).isoformat(),
        "lines": lines,
    }
    if register in w.shifts and w.rng.random() < 0.5:
        body["shift_id"] = w.shifts[register].id
    card = {"type": "card", "card_number": CARD, "amount": total}
    roll = w.rng.random()
    declined, gift_card, cash = False, None, 0
    if roll < 0.35:
        tenders = [{"type": "cash", "tendered": (total // 1000 + 1) * 1000}]
        cash = total
    elif roll < 0.45 and w.gift_cards["GC-1000-0001"] > 1 and total > 1:
        gift_card = "GC-1000-0001"  # one gift card per batch, so its balance is known
        part = w.rng.randint(1, min(w.gift_cards[gift_card], total) - 1)
        tenders = [{"type": "gift_card", "code": gift_card, "amount": part}]
        tenders.append({**card, "amount": total - part})
    elif roll < 0.53:
        tenders, declined = [{**card, "card_number": "4000000000000002"}], True
    else:
        tenders = [card]
    return OfflineSale(register, {**body, "tenders": tenders}, total, declined, gift_card, cash)


async def offline_batch(w: World) -> None:
    """A till back online uploads what it sold offline; each sale is applied as a POS order
    (taking the shelf below zero if it must, flagged as a conflict) or rejected alone."""
    roll = w.rng.random()
    if roll < 0.08 and w.batches:
        earlier = w.rng.choice(w.batches)
        path = f"/v1/pos/registers/{earlier.register}/offline-batches"
        again = await w.send("offline_batch", "POST", path, POS_KEY, earlier.body)
        assert again == {**earlier.result, "replayed": True}  # nothing is sold twice
        return
    register = w.rng.choice(NYC_REGISTERS)
    number = next(w.serial)
    sales = [_offline_sale(w, register, number * 10 + i) for i in range(w.rng.randint(1, 3))]
    sales = [sale for i, sale in enumerate(sales) if not sale.gift_card or i == 0]
    body = {"batch_id": f"batch-{number}", "sales": [sale.body for sale in sales]}
    if roll < 0.12 and w.batches:
        # A batch id already reconciled on that till, sent with other sales.
        earlier = w.rng.choice(w.batches)
        path = f"/v1/pos/registers/{earlier.register}/offline-batches"
        reused = {**body, "batch_id": earlier.body["batch_id"]}
        await w.send(
            "offline_batch", "POST", path, POS_KEY, reused, expect="offline_batch_conflict"
        )
        return
    path = f"/v1/pos/registers/{register}/offline-batches"
    if roll < 0.18:
        sales[-1].body["lines"][0]["barcode"] = "9999999999999"
        await w.send("offline_batch", "POST", path, POS_KEY, body, expect="unknown_barcode")
        return
    result = await w.send("offline_batch", "POST", path, POS_KEY, body)
    w.batches.append(Batch(register, body, result, sales))
    by_id = {sale.body["local_id"]: sale for sale in sales}
    assert (result["applied"], result["rejected"]) == (
        sum(not sale.declined for sale in sales),
        sum(sale.declined for sale in sales),
    )
    for outcome in result["sales"]:
        sale = by_id[outcome["local_id"]]
        assert (outcome["status"], outcome["total"]) == (
            "rejected" if sale.declined else "applied",
            sale.total,
        )
        if sale.declined:
            continue
        shift = w.shifts.get(register)
        if shift is not None and sale.body.get("shift_id") == shift.id:
            shift.cash += sale.cash
            shift.sales += 1
        if sale.gift_card is not None:
            w.gift_cards[sale.gift_card] -= sale.body["tenders"][0]["amount"]
        order = await w.client.get(f"/v1/orders/{outcome['order_id']}", headers=headers(ADMIN_KEY))
        placed = order.json()
        assert _at(placed["placed_at"]) == _at(sale.body["occurred_at"])
        w.place(placed, sale.gift_card)


async def count_stock(w: World) -> None:
    """Settle an offline oversell with a count: the ledger takes the shelf to what is there."""
    listed = await w.client.get(
        "/v1/pos/stock-conflicts", params={"status": "open"}, headers=headers(POS_KEY)
    )
    assert listed.status_code == 200, listed.text
    if not listed.json():
        return await offline_batch(w)
    open_ones = sorted(listed.json(), key=lambda c: (c["register_id"], c["local_id"], c["sku"]))
    conflict = w.rng.choice(open_ones)
    path = f"/v1/pos/stock-conflicts/{conflict['id']}/resolve"
    body = {"counted": w.rng.randint(0, 8), "associate_id": "emp_1"}
    counted = await w.send(
        "count_stock", "POST", path, POS_KEY, body, may=("stock_below_reserved",)
    )
    if counted:
        change = counted["counted"] - counted["previous_on_hand"]
        w.shelved[(counted["sku"], counted["location_id"])] += change
        settled = await w.send(
            "count_stock", "POST", path, POS_KEY, body, expect="stock_conflict_closed"
        )
        assert settled is None


# Staff moves and the clock. ------------------------------------------------------------------


def _mover(target: str, path: str, before: Op = checkout) -> Op:
    """Move an order to ``target``; with nothing to move, do what comes ``before`` instead."""

    async def move(w: World) -> None:
        can = [o.id for o in w.orders.values() if target in MOVES.get((o.fulfilment, o.status), ())]
        if not w.orders or (not can and w.rng.random() < 0.8):
            return await before(w)
        order = w.orders[w.rng.choice(can if can and w.rng.random() < 0.9 else list(w.orders))]
        allowed = target in MOVES.get((order.fulfilment, order.status), ())
        expect = None if allowed else "invalid_state_transition"
        moved = await w.send(
            move.__name__, "POST", f"/v1/admin/orders/{order.id}/{path}", ADMIN_KEY, expect=expect
        )
        if moved:
            assert moved["status"] == target
            order.status = target
            if target == "cancelled":
                assert {payment["status"] for payment in moved["payments"]} == {"refunded"}
                w.cancelled(order)

    move.__name__ = path.replace("-", "_")
    return move


async def advance_clock(w: World, minutes: int | None = None) -> None:
    if minutes is None:
        unit = w.rng.choices(("minutes", "hours", "days"), weights=(45, 35, 20))[0]
        amount = {"minutes": w.rng.randint(1, 30), "hours": w.rng.randint(1, 12)}.get(
            unit, w.rng.randint(1, 8)
        )
    else:
        unit, amount = "minutes", minutes
    advanced = await w.send(
        "advance_clock", "POST", "/v1/admin/clock/advance", ADMIN_KEY, {unit: amount}
    )
    now = _at(advanced["now"])
    assert now == w.now + timedelta(**{unit: amount})
    w.now = now
    no_shows = [
        order
        for order in w.orders.values()
        if order.fulfilment == "pickup"
        and order.status in ("paid", "ready_for_pickup")
        and order.placed_at <= now - NO_SHOW
    ]
    assert advanced["pickups_cancelled"] == len(no_shows)
    for order in no_shows:
        w.cancelled(order)


# Returns. -----------------------------------------------------------------------------------


def _return_body(w: World) -> tuple[Order | None, dict[str, Any], str | None]:
    """A return to attempt, and the refusal the model predicts for it (None: it is good)."""
    handed = [o for o in w.orders.values() if o.status in HANDED_OVER]
    late = [o for o in handed if w.now - o.placed_at > RETURN_WINDOW]
    done = [(o, line) for o in handed for line in o.lines if line not in o.returnable()]
    waiting = [o for o in w.orders.values() if o.status not in HANDED_OVER]
    roll = w.rng.random()
    if roll < 0.12 and handed:
        order = w.rng.choice(handed)
        line_id, refusal = w.line_of_another_order(order), "invalid_input"
    elif roll < 0.2 and done:
        order, line_id = w.rng.choice(done)
        refusal = "not_returnable"  # every unit of the line is back already
    elif roll < 0.24 and waiting:
        order = w.rng.choice(waiting)
        line_id, refusal = next(iter(order.lines)), "not_returnable"
    elif roll < 0.28 and late:
        order = w.rng.choice(late)
        line_id, refusal = next(iter(order.lines)), "return_window_closed"
    else:
        return _good_return(w, [o for o in handed if o not in late and o.returnable()])
    if order in late:
        refusal = "return_window_closed"  # the window is checked before the lines
    return order, {"order_id": order.id, "lines": [{"order_line_id": line_id}]}, refusal


def _good_return(w: World, returnable: list[Order]) -> tuple[Order | None, dict[str, Any], None]:
    if not returnable:
        return None, {}, None
    order = w.rng.choice(returnable)
    left = order.returnable()
    lines = [
        {
            "order_line_id": line_id,
            "quantity": w.rng.randint(1, left[line_id]),
            "condition": "damaged" if w.rng.random() < 0.2 else "restock",
        }
        for line_id in w.rng.sample(list(left), w.rng.randint(1, min(2, len(left))))
    ]
    refund_to = "store_credit" if w.rng.random() < 0.3 else "original"
    return order, {"order_id": order.id, "lines": lines, "refund_to": refund_to}, None


def _returner(at_store: bool) -> Op:
    async def give_back(w: World) -> None:
        op = give_back.__name__
        order, body, expect = _return_body(w)
        if order is None:
            return await _mover("fulfilled", "fulfil")(w)
        key = POS_KEY if at_store else WEB_KEY
        register = None
        if at_store:
            # Cash paid back at the till comes out of a drawer: an open one is named.
            if not w.shifts:
                return await open_shift(w)
            register = w.rng.choice(sorted(w.shifts))
            body = {**body, "register_id": register}
        returned = await w.send(op, "POST", "/v1/returns", key, body, expect=expect)
        if returned is None:
            return
        if register is not None:
            w.shifts[register].cash -= sum(
                refund["amount"] for refund in returned["refunds"] if refund["method"] == "cash"
            )
        amount = 0
        for wanted in body["lines"]:
            line, quantity = order.lines[wanted["order_line_id"]], wanted["quantity"]
            amount += (line["line_total"] + line["tax"]) * quantity // line["quantity"]
            order.returned[line["id"]] += quantity
            if wanted["condition"] == "restock":
                w.shelved[(line["sku"], NYC if at_store else line["location_id"])] += quantity
        assert (returned["amount"], returned["location_id"]) == (amount, NYC if at_store else None)
        assert sum(refund["amount"] for refund in returned["refunds"]) == amount
        if body["refund_to"] == "store_credit":
            w.gift_cards[returned["store_credit_code"]] = amount
            return
        order.refunded += amount
        for refund in returned["refunds"]:
            if refund["method"] == "gift_card":
                assert order.gift_card is not None
                w.gift_cards[order.gift_card] += refund["amount"]

    give_back.__name__ = "return_at_store" if at_store else "return_by_mail"
    return give_back


async def exchange(w: World) -> None:
    """An even exchange at the till: units of an order back, the same value out, no money."""
    order, body, expect = _return_body(w)
    if order is None:
        return await _mover("fulfilled", "fulfil")(w)
    body.pop("refund_to", None)
    wanted = body["lines"] if expect is None else []  # a refused one may name no line of it
    back = [(order.lines[line["order_line_id"]], line["quantity"]) for line in wanted]
    body["replacements"] = [
        {"sku": SWAP.get(line["sku"], line["sku"]), "quantity": quantity}
        if w.rng.random() < 0.5
        else {"barcode": BARCODES[SWAP.get(line["sku"], line["sku"])], "quantity": quantity}
        for line, quantity in back
    ] or [{"sku": "SKU-TEE-M", "quantity": 1}]
    if expect is None and w.rng.random() < 0.2:
        body["replacements"].append({"sku": "SKU-MUG", "quantity": 1})
    value = sum(line["unit_price"] * quantity for line, quantity in back)
    worth = sum(SKUS[_sku_of(r)][1] * r["quantity"] for r in body["replacements"])
    if expect is None and worth != value:
        expect = "exchange_not_even"
    done = await w.send(
        "exchange",
        "POST",
        "/v1/returns/exchanges",
        POS_KEY,
        body,
        expect=expect,
        may=("insufficient_stock",) if expect is None else (),
    )
    if done is None:
        return
    assert (done["value"], done["location_id"]) == (value, NYC)
    for wanted, (line, quantity) in zip(body["lines"], back, strict=True):
        order.returned[line["id"]] += quantity
        if wanted["condition"] == "restock":
            w.shelved[(line["sku"], NYC)] += quantity
    for replacement in body["replacements"]:
        w.shelved[(_sku_of(replacement), NYC)] -= replacement["quantity"]


def _sku_of(item: dict[str, Any]) -> str:
    return item.get("sku") or next(sku for sku, code in BARCODES.items() if code == item["barcode"])


async def return_without_receipt(w: World) -> None:
    """Store credit at the lowest price the SKU sold for lately; three per customer a month."""
    sku = w.rng.choice(list(SKUS))
    item = {"sku": sku} if w.rng.random() < 0.5 else {"barcode": BARCODES[sku]}
    body: dict[str, Any] = {**item, "quantity": w.rng.randint(1, 2)}
    body["condition"] = "damaged" if w.rng.random() < 0.2 else "restock"
    since = w.now - RECEIPTLESS_WINDOW
    # The shopper is always named: without that the limit would be no limit.
    customer = ADA
    body["customer_id"] = customer
    recent = [at for who, at in w.receiptless if who == customer and at >= since]
    expect = "receiptless_limit_reached" if len(recent) >= RECEIPTLESS_LIMIT else None
    if w.rng.random() < 0.05:
        body = {"barcode": "9999999999999", "customer_id": customer}
        expect = "unknown_barcode"
    path = "/v1/returns/without-receipt"
    credit = await w.send("return_without_receipt", "POST", path, POS_KEY, body, expect=expect)
    if credit is None:
        return
    sold = [
        line["line_total"] // line["quantity"]
        for order in w.orders.values()
        if order.status != "cancelled" and order.placed_at >= since
        for line in order.lines.values()
        if line["sku"] == sku
    ]
    price, basis = (min(sold), "lowest_sold") if sold else (SKUS[sku][1], "lowest_price")
    quantity = body["quantity"]
    assert (credit["unit_price"], credit["price_basis"], credit["amount"]) == (
        price,
        basis,
        price * quantity,
    )
    w.gift_cards[credit["store_credit_code"]] = credit["amount"]
    if body["condition"] == "restock":
        w.shelved[(sku, NYC)] += quantity
    if customer is not None:
        w.receiptless.append((customer, w.now))


# The registry: every kind of operation and how often it is drawn. ---------------------------

REGISTRY: dict[Op, int] = {
    create_cart: 5,
    add_to_cart: 14,
    change_line: 5,
    checkout: 9,
    social_order: 5,
    open_shift: 3,
    close_shift: 2,
    start_sale: 5,
    scan: 13,
    issue_handoff_code: 3,
    hand_off: 4,
    void_line: 2,
    void_sale: 2,
    pay: 11,
    ship_to_home: 3,
    _mover("fulfilled", "fulfil"): 4,
    _mover("ready_for_pickup", "ready"): 5,
    _mover("picked_up", "picked-up", before=_mover("ready_for_pickup", "ready")): 5,
    _mover("cancelled", "cancel"): 2,
    _returner(at_store=True): 4,
    _returner(at_store=False): 3,
    exchange: 4,
    return_without_receipt: 2,
    offline_batch: 3,
    count_stock: 3,
    advance_clock: 3,
}
# Refusals the mix must have provoked, so the invalid half of the model was exercised too.
PROVOKED = {
    ("add_to_cart", "unknown_sku"),
    ("change_line", "cart_version_conflict"),
    ("checkout", "declined"),  # any of the declining magic cards
    ("open_shift", "shift_already_open"),
    ("scan", "unknown_barcode"),
    ("hand_off", "invalid_input"),
    ("pay", "tender_short"),
    ("exchange", "exchange_not_even"),
    ("move", "invalid_state_transition"),
    ("return", "invalid_input"),  # a line never bought
    ("return", "not_returnable"),  # a line already back, or an order not handed over
}
MIN_SUCCESSES = 3
MOVE_NAMES = {"fulfil", "ready", "picked_up", "cancel"}
RETURN_NAMES = {"return_at_store", "return_by_mail", "exchange"}  # all check lines alike


# The end: verify, then the test's own sums. --------------------------------------------------


async def _finish(w: World) -> None:
    for register in list(w.shifts):
        await close_shift(w, register)
    await advance_clock(w, minutes=20)  # every add-to-cart hold lapses
    await verified(w.client)
    await _check_money(w)
    await _check_stock(w)
    await _check_gift_cards(w)


async def _check_money(w: World) -> None:
    """Per order: captured payments equal the total unless cancelled; refunds equal what the
    model refunded (returns to tenders, or everything when cancelled)."""
    listed: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await w.client.get("/v1/orders", params=params, headers=headers(ADMIN_KEY))).json()
        listed.update((order["id"], order) for order in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(listed) == set(w.orders), "the store has exactly the orders the mix placed"
    for order in w.orders.values():
        found = listed[order.id]
        by_status = Counter[str]()
        for payment in found["payments"]:
            by_status[payment["status"]] += payment["amount"]
        cancelled = order.status == "cancelled"
        expected = {
            "captured": 0 if cancelled else order.total,
            "refunded": (order.total if cancelled else 0) + order.refunded,
        }
        # Statuses the store has no payment in count as 0; any other status is a finding.
        assert (found["status"], found["total"], {"captured": 0, "refunded": 0, **by_status}) == (
            order.status,
            order.total,
            expected,
        ), order.id


async def _check_stock(w: World) -> None:
    """Per SKU and location, on hand less reserved = opening − units on orders not cancelled +
    units shelved by no order. Offline oversells may take it below zero: the inventory ledger
    shows that as it is, the storefront as nothing available."""
    taken = Counter[tuple[str, str]]()
    for order in w.orders.values():
        if order.status != "cancelled":
            for line in order.lines.values():
                taken[(line["sku"], line["location_id"])] += line["quantity"]
    openings = {
        (sku, location): opening * DEPTH
        for sku, (_, _, *levels) in SKUS.items()
        for location, opening in zip(LOCATIONS, levels, strict=True)
    }
    expected = {key: openings[key] - taken[key] + w.shelved[key] for key in openings}
    ledger = Counter[tuple[str, str]]()
    after = 0
    while True:
        page = await w.client.get(
            "/v1/admin/stock/movements",
            params={"after": after, "limit": 1000},
            headers=headers(ADMIN_KEY),
        )
        assert page.status_code == 200, page.text
        moves = page.json()["items"]
        if not moves:
            break
        for move in moves:
            key = (move["sku"], move["location_id"])
            ledger[key] += move["on_hand_delta"] - move["reserved_delta"]
        after = page.json()["next_after"]
    assert {key: openings[key] + ledger[key] for key in openings} == expected
    for product_id in sorted({product for product, *_ in SKUS.values()}):
        shown = await w.client.get(f"/v1/products/{product_id}", headers=headers(ADMIN_KEY))
        for entry in shown.json()["skus"]:
            levels = {level["location_id"]: level["available"] for level in entry["stock"]}
            sku = entry["sku"]
            assert levels == {place: max(expected[(sku, place)], 0) for place in LOCATIONS}, sku


async def _check_gift_cards(w: World) -> None:
    for code, balance in sorted(w.gift_cards.items()):
        shown = await w.client.get(f"/v1/pos/gift-cards/{code}", headers=headers(POS_KEY))
        assert shown.json()["balance"] == balance, (code, shown.json(), balance)


async def test_a_seeded_random_mix_across_every_channel_keeps_the_store_correct(
    client: Client,
) -> None:
    print(f"OMNILOOM_RANDOM_SEED={SEED} OMNILOOM_RANDOM_OPS={OPERATIONS}")
    rng = random.Random(SEED)
    clock = (await client.get("/v1/admin/clock", headers=headers(ADMIN_KEY))).json()
    w = World(client, rng, _at(clock["now"]))
    kinds, weights = list(REGISTRY), list(REGISTRY.values())
    where = "the start"
    try:
        for step in range(OPERATIONS):
            chosen = rng.choices(kinds, weights)[0]
            where = f"step {step} ({chosen.__name__})"
            await chosen(w)
        where = "the final checks"
        await _finish(w)
    except Exception as failure:
        raise AssertionError(
            f"{where} failed; reproduce with OMNILOOM_RANDOM_SEED={SEED} "
            f"OMNILOOM_RANDOM_OPS={OPERATIONS}: {failure}"
        ) from failure
    kinds_placed = Counter(f"{o.channel}/{o.fulfilment}" for o in w.orders.values())
    print(f"{len(w.orders)} orders {dict(kinds_placed)}")
    print(f"succeeded {dict(w.succeeded)}; refused {dict(w.refused)}")
    names = {kind.__name__ for kind in kinds}
    thin = {name: w.succeeded[name] for name in names if w.succeeded[name] < MIN_SUCCESSES}
    assert not thin, f"seed {SEED}: too few successes {thin}; raise OMNILOOM_RANDOM_OPS"
    seen = set(w.refused) | {("return", code) for op, code in w.refused if op in RETURN_NAMES}
    seen |= {(op, "declined") for op, code in w.refused if code in DECLINES.values()}
    seen |= {("move", code) for op, code in w.refused if op in MOVE_NAMES}
    assert not PROVOKED - seen, f"seed {SEED} never provoked {PROVOKED - seen}"


# Found while building the mix (any seed, once the app touches a cart the till holds). --------


async def test_a_cart_handed_to_the_till_does_not_leave_the_register_stuck(
    client: Client,
) -> None:
    opened = await client.post(
        f"/v1/pos/registers/{NYC_REGISTERS[0]}/shifts",
        json={"associate_id": "emp_1", "opening_float": 0},
        headers=headers(POS_KEY),
    )
    assert opened.status_code == 201, opened.text
    cart = (await client.post("/v1/carts", json={}, headers=headers(MOBILE_KEY))).json()
    line = {"sku": "SKU-TEE-M", "quantity": 1}
    added = await client.post(
        f"/v1/carts/{cart['id']}/lines", json=line, headers=headers(MOBILE_KEY)
    )
    assert added.status_code == 200, added.text
    handed = await client.post(
        f"/v1/pos/registers/{NYC_REGISTERS[0]}/handoff",
        json={"cart_id": cart["id"]},
        headers=headers(POS_KEY),
    )
    assert handed.status_code == 201, handed.text

    body = {
        "fulfilment": {"type": "ship", "address": SHIP_TO},
        "payment": {"method": "card", "card_number": CARD},
    }
    online = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=body, headers=headers(MOBILE_KEY)
    )
    voided = await client.post(
        f"/v1/pos/sales/{cart['id']}/void", json={}, headers=headers(POS_KEY)
    )
    # The app may be told the cart is at the till or may win the race; either way the till can
    # still close its sale.
    assert online.status_code in (201, 409), online.text
    assert voided.status_code == 200, voided.text
    sale = await client.get(f"/v1/pos/sales/{cart['id']}", headers=headers(POS_KEY))
    assert sale.status_code == 200, sale.text
    assert sale.json()["status"] == "voided"
