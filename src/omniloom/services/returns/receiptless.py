"""Returns without a receipt, at the till: store credit only, at the lowest recent price.

Without a receipt nobody knows what was paid, so a unit is credited at the least anyone paid
for one (after its promotion, before tax: where it was bought, and so its tax, is unknown) on
an order of any channel placed in the last ``receiptless_lookback_days`` (30 by default); a SKU
that did not sell in that time is credited at its lowest current price on any channel. The
credit is a new gift card. Units in good condition go back on the store's shelf through the
ledger, traced to no order; damaged ones are credited and not restocked.

Fraud rule: the shopper is named (the till looks them up by loyalty id, phone or email), and one
customer gets at most ``RECEIPTLESS_LIMIT`` of these within ``RECEIPTLESS_LIMIT_WINDOW``; a limit
on named customers alone would be no limit if anyone could stay anonymous.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from omniloom.domain.carts import Quantity
from omniloom.domain.errors import FieldError, InvalidInput, ReceiptlessLimitReached
from omniloom.domain.returns import RECEIPTLESS_LIMIT, RECEIPTLESS_LIMIT_WINDOW
from omniloom.services.checkout.commands import Identifier, Sku
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.items import Barcode, resolve_item, store_of
from omniloom.services.returns.order_returns import Condition, issue_store_credit
from omniloom.store import inventory_queries, pos_queries, return_queries
from omniloom.store.inventory_queries import Ref


class NewReceiptlessReturn(msgspec.Struct, forbid_unknown_fields=True):
    # The shopper, looked up at the till: required, or the limit below could be walked around.
    customer_id: Identifier
    sku: Sku | None = None
    barcode: Barcode | None = None
    quantity: Quantity = 1
    condition: Condition = Condition.RESTOCK


class ReceiptlessReturnView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    quantity: int
    condition: str
    location_id: str
    unit_price: int
    # "lowest_sold": the least paid in the look-back window; "lowest_price": it did not sell.
    price_basis: str
    amount: int
    store_credit_code: str
    customer_id: str | None = None


def accept(
    runtime: Runtime, unit: Unit, command: NewReceiptlessReturn, location_id: str | None
) -> ReceiptlessReturnView:
    store = store_of(location_id)
    sku, product = resolve_item(runtime, unit, command.sku, command.barcode)
    _within_limit(unit, command.customer_id)
    since = unit.now - timedelta(days=runtime.settings.receiptless_lookback_days)
    lowest_sold = return_queries.lowest_sold_price(unit.conn, sku, since)
    prices = product.sku(sku).prices.values()
    if lowest_sold is None:
        unit_price, basis = min(price.amount for price in prices), "lowest_price"
    else:
        unit_price, basis = lowest_sold, "lowest_sold"
    amount = unit_price * command.quantity
    return_id = unit.ids.new("ret")
    restock = command.condition is Condition.RESTOCK
    if restock:
        inventory_queries.shift(unit.conn, "return", sku, store, command.quantity, Ref(unit.now))
    currency = next(iter(prices)).currency
    code = issue_store_credit(unit, None, currency, amount, return_id)
    return_queries.record(
        unit.conn,
        {
            "id": return_id,
            "order_id": None,
            "customer_id": command.customer_id,
            "location_id": store,
            "refund_to": "store_credit",
            "amount": amount,
            "store_credit_code": code,
            "channel": unit.channel,
            "created_at": unit.now,
        },
        [
            {
                "id": unit.ids.new("rline"),
                "return_id": return_id,
                "order_line_id": None,
                "sku": sku,
                "quantity": command.quantity,
                "condition": command.condition.value,
                "restocked_at": store if restock else None,
                "amount": amount,
            }
        ],
    )
    unit.emit(
        "return.without_receipt",
        customer_id=command.customer_id,
        sku=sku,
        location_id=store,
        quantity=command.quantity,
        condition=command.condition.value,
        unit_price=unit_price,
        price_basis=basis,
        amount=amount,
        return_id=return_id,
    )
    return ReceiptlessReturnView(
        return_id,
        sku,
        command.quantity,
        command.condition.value,
        store,
        unit_price,
        basis,
        amount,
        code,
        command.customer_id,
    )


def _within_limit(unit: Unit, customer_id: str) -> None:
    if pos_queries.customer(unit.conn, customer_id) is None:
        raise InvalidInput(
            f"There is no customer {customer_id!r}.",
            errors=[FieldError("customer_id", "unknown customer")],
        )
    since = unit.now - RECEIPTLESS_LIMIT_WINDOW
    if return_queries.receiptless_returns_of(unit.conn, customer_id, since) >= RECEIPTLESS_LIMIT:
        raise ReceiptlessLimitReached(
            f"Customer {customer_id} already made {RECEIPTLESS_LIMIT} returns without a receipt "
            f"in the last {RECEIPTLESS_LIMIT_WINDOW.days} days.",
            errors=[FieldError("customer_id", f"limit of {RECEIPTLESS_LIMIT} reached")],
        )
