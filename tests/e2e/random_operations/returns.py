"""Returns at a store and by mail, exchanges, returns without a receipt."""

from __future__ import annotations

from typing import Any

from tests.e2e.random_operations.model import (
    ADA,
    BARCODES,
    HANDED_OVER,
    RECEIPTLESS_LIMIT,
    RECEIPTLESS_WINDOW,
    RETURN_WINDOW,
    SWAP,
    Op,
    Order,
    World,
)
from tests.e2e.random_operations.staff import mover
from tests.e2e.random_operations.till import open_shift
from tests.support.store import (
    NYC,
    POS_KEY,
    SKUS,
    WEB_KEY,
)


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


def returner(at_store: bool) -> Op:
    async def give_back(w: World) -> None:
        op = give_back.__name__
        order, body, expect = _return_body(w)
        if order is None:
            return await mover("fulfilled", "fulfil")(w)
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
        return await mover("fulfilled", "fulfil")(w)
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
