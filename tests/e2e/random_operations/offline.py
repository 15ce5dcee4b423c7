"""Operations of offline registers, and the counts that settle their oversells."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from omniloom.domain.money import tax_on
from tests.e2e.random_operations.model import BARCODES, CARD, Batch, OfflineSale, World, instant
from tests.support.api import headers
from tests.support.pos import NEW_YORK, NYC_TAX_BPS
from tests.support.store import (
    ADMIN_KEY,
    NYC_REGISTERS,
    POS_KEY,
    SKUS,
)


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
        assert instant(placed["placed_at"]) == instant(sale.body["occurred_at"])
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
