"""Paying for a POS sale: tenders in, stock out of the store, one order with its payments.

Everything happens in one unit of work, so a short tender, a gift card without balance, a
declined card or a shelf that turned out empty leaves stock, money and the cart as they were.
The sale is fulfilled on the spot: the order is written as ``picked_up`` (a counter sale is a
pickup at this store that happens at once), its stock reserved and consumed in the same unit.
"""

from __future__ import annotations

from omniloom.domain.carts import CartStatus
from omniloom.domain.errors import (
    CartEmpty,
    FieldError,
    GiftCardInsufficient,
    InvalidInput,
    ShiftNotOpen,
)
from omniloom.domain.orders import Fulfilment, OrderStatus
from omniloom.domain.payments import charge_card
from omniloom.domain.tender_split import split_tenders
from omniloom.domain.tenders import AppliedTender, TenderRequest, TenderType, allocate
from omniloom.services.carts import cart as carts
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.orders.builder import order_line_row, order_row, payment_row, record_order
from omniloom.services.pos import ship_order as pos_ship_order
from omniloom.services.pos.common import open_shift_of, register_at, sale_at, sale_view
from omniloom.services.pos.receipts import ReceiptView, build_receipt
from omniloom.store import cart_queries, inventory_queries, pos_queries
from omniloom.store.inventory_queries import Ref
from omniloom.store.rows import OrderLineRow, OrderRow, PaymentRow


def pay(
    runtime: Runtime,
    unit: Unit,
    location_id: str | None,
    cart_id: str,
    tenders: list[TenderRequest],
) -> ReceiptView:
    sale = sale_at(unit.conn, location_id, cart_id)
    shift_id = open_shift_of(register_at(unit.conn, location_id, sale["register_id"]))
    cart = carts.begin_change(unit, cart_id, None)
    view = sale_view(runtime, unit.conn, sale)
    # Endless aisle: what the sale ships home is routed and reserved first, to know its tax.
    shipped = pos_ship_order.place(runtime, unit, cart)
    if not view.lines and shipped is None:
        raise CartEmpty("Nothing has been scanned for this sale.")
    # Arithmetic next: a short tender is refused before anything else is touched.
    ship_total = shipped.total if shipped else 0
    allocation = allocate(view.total + ship_total, tenders)
    to_ship, to_store = split_tenders(allocation.tenders, ship_total)
    store = sale["location_id"]
    stock.release_cart_holds(unit, cart_id)
    order_id = unit.ids.new("ord")
    ref = Ref(unit.now, order_id=order_id)
    order_lines = []
    for line in view.lines:
        stock.reserve_first_fit(unit, line.sku, line.quantity, [store], order_id=order_id)
        inventory_queries.consume(unit.conn, line.sku, store, line.quantity, ref)
        order_lines.append(
            order_line_row(
                runtime,
                unit,
                order_id,
                line.sku,
                line.title,
                line.quantity,
                LinePrice(line.unit_price, line.discount, line.promotion_id),
                store,
            )
        )
    currency = cart["currency"]
    if shipped is not None:
        ship_payments = [take_tender(unit, shipped.id, tender, currency) for tender in to_ship]
        pos_ship_order.record(unit, shipped, ship_payments)
    payments = [take_tender(unit, order_id, tender, currency) for tender in to_store]
    customer_id = cart["customer_id"]
    if order_lines:
        order = counter_order(unit, order_id, cart_id, customer_id, currency, store, order_lines)
        record_order(unit, order, order_lines, payments)  # closes the sale's cart too
    elif shipped is not None:
        order_id = shipped.id  # nothing left the store's shelf: the sale is its shipped order
        cart_queries.set_status(unit.conn, cart_id, CartStatus.ORDERED)
    cash = next((t for t in allocation.tenders if t.type is TenderType.CASH), None)
    if not pos_queries.add_cash_sale(unit.conn, shift_id, allocation.cash_taken):
        # The shift was closed while this sale was being paid: its drawer is already counted.
        raise ShiftNotOpen(f"Shift {shift_id} closed during the sale; open a shift and retry.")
    pos_queries.close_sale(
        unit.conn,
        cart_id,
        status="completed",
        now=unit.now,
        shift_id=shift_id,
        order_id=order_id,
        cash_tendered=cash.tendered if cash else 0,
        change_given=allocation.change,
    )
    if order_lines:
        unit.emit("order.paid", order_id=order_id, customer_id=customer_id)
        unit.emit("order.picked_up", order_id=order_id, customer_id=customer_id)
    unit.emit(
        "pos.sale_completed",
        order_id=order_id,
        cart_id=cart_id,
        customer_id=customer_id,
        register_id=sale["register_id"],
        shift_id=shift_id,
        total=allocation.total,
        ship_order_id=shipped.id if shipped else None,
        tenders=[{"type": str(t.type), "amount": t.amount} for t in allocation.tenders],
        change=allocation.change,
    )
    return build_receipt(runtime, unit.conn, order_id)


def counter_order(
    unit: Unit,
    order_id: str,
    cart_id: str,
    customer_id: str | None,
    currency: str,
    store: str,
    order_lines: list[OrderLineRow],
) -> OrderRow:
    """A sale at the counter as an order row: picked up at the store the moment it is paid."""
    customer = customer_id and pos_queries.customer(unit.conn, customer_id)
    return order_row(
        unit,
        order_id=order_id,
        cart_id=cart_id,
        customer_id=customer_id,
        currency=currency,
        status=OrderStatus.PICKED_UP,
        fulfilment=Fulfilment.PICKUP,
        lines=order_lines,
        location_id=store,
        email=customer["email"] if customer else None,
    )


def take_tender(unit: Unit, order_id: str, tender: AppliedTender, currency: str) -> PaymentRow:
    """Capture one tender's share; raises (undoing the whole sale) when it cannot be had."""
    if tender.type is TenderType.CARD:
        charge = charge_card(
            tender.reference or "", tender.amount, field=f"tenders[{tender.index}].card_number"
        )
        return payment_row(
            unit, order_id, "card", tender.amount, currency, brand=charge.brand, last4=charge.last4
        )
    if tender.type is TenderType.CASH:
        return payment_row(unit, order_id, "cash", tender.amount, currency)
    code = tender.reference or ""
    card = pos_queries.gift_card(unit.conn, code)
    if card is None:
        raise InvalidInput(
            f"There is no gift card {code!r}.",
            errors=[FieldError(f"tenders[{tender.index}].code", "unknown gift card")],
        )
    balance = pos_queries.redeem_gift_card(unit.conn, code, tender.amount)
    if balance is None:
        raise GiftCardInsufficient(
            f"Gift card ****{code[-4:]} holds {card['balance']}, not {tender.amount}.",
            errors=[FieldError(f"tenders[{tender.index}].amount", f"at most {card['balance']}")],
            extra={"balance": card["balance"]},
        )
    payment = payment_row(unit, order_id, "gift_card", tender.amount, currency, last4=code[-4:])
    pos_queries.record_gift_card_transaction(
        unit.conn,
        {
            "id": unit.ids.new("gct"),
            "code": code,
            "order_id": order_id,
            "payment_id": payment["id"],
            "amount": -tender.amount,
            "balance_after": balance,
            "created_at": unit.now,
        },
    )
    unit.emit("gift_card.redeemed", order_id=order_id, code_last4=code[-4:], amount=tender.amount)
    return payment
