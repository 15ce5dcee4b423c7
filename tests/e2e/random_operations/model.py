"""The model: what the test believes exists (carts, orders, shifts, sales, gift cards), and
the constants the operations and checks share."""

from __future__ import annotations

import itertools
import os
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.support.api import APPROVED_CARD, Client, headers
from tests.support.store import (
    GIFT_CARDS,
    MOBILE_KEY,
    NYC,
    NYC_REGISTERS,
    SEA,
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


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def by_sku(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
            instant(order["placed_at"]),
            {line["id"]: line for line in by_sku(order["lines"])},
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
