"""The end of a mix: verify, then the test's own sums of money, stock and gift cards."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.random_operations.model import DEPTH, LOCATIONS, World
from tests.e2e.random_operations.staff import advance_clock
from tests.e2e.random_operations.till import close_shift
from tests.support.api import headers, verified
from tests.support.store import (
    ADMIN_KEY,
    POS_KEY,
    SKUS,
)


async def finish(w: World) -> None:
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
