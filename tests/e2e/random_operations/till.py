"""Operations at the till: shifts, sales, scans, hand-offs, voids, tenders, endless aisle."""

from __future__ import annotations

from typing import Any

from tests.e2e.random_operations.model import (
    BARCODES,
    CARD,
    DECLINES,
    EMPTY_GIFT_CARD,
    HandoffCode,
    Sale,
    Shift,
    World,
    by_sku,
    instant,
)
from tests.e2e.random_operations.web import closed_app_carts, create_cart
from tests.support.api import HOME, headers
from tests.support.store import (
    ADMIN_KEY,
    MOBILE_KEY,
    NYC_REGISTERS,
    POS_KEY,
    SEA_REGISTER,
    SKUS,
)


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
    closed_carts = closed_app_carts(w)
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
    w.codes.append(HandoffCode(issued["code"], cart_id, instant(issued["expires_at"])))


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
    line = w.rng.choice(by_sku(sale.view["lines"]))
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
