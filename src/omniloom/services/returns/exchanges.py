"""Even exchanges at the till: units of an order come back, others of the same value go out.

No money moves. The units coming back are taken back as in any return (restocked at the store
through the ledger, or marked damaged) and recorded as a return with ``refund_to`` exchange and
amount 0; the replacement units leave the store's shelf through the ledger (kind ``exchange``,
traced to the order) only while the store has them beyond what is reserved, and are recorded
as the exchange's lines.

"Even" compares list prices: the order line's unit price when it was sold, before any promotion
(a discount stays with the purchase it was given on), against the replacement's store price
now, in total over the exchange. The same tee in another size is even; a product at another
price, or one marked down since, is not: that is a return and a new sale.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from omniloom.domain.carts import Quantity
from omniloom.domain.errors import (
    ExchangeNotEven,
    FieldError,
    InsufficientStock,
    UnknownSku,
)
from omniloom.services.checkout.commands import Sku
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import POS_CHANNEL, pos_price
from omniloom.services.pos.items import Barcode, resolve_item, store_of
from omniloom.services.returns.order_returns import (
    ReturnLine,
    record_return,
    returnable_order,
    take_back,
)
from omniloom.store import inventory_queries, order_queries, return_queries
from omniloom.store.inventory_queries import Ref

EXCHANGE = "exchange"


class Replacement(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku | None = None
    barcode: Barcode | None = None
    quantity: Quantity = 1


class NewExchange(msgspec.Struct, forbid_unknown_fields=True):
    order_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    lines: Annotated[list[ReturnLine], msgspec.Meta(min_length=1, max_length=100)]
    replacements: Annotated[list[Replacement], msgspec.Meta(min_length=1, max_length=100)]


class ExchangedLine(msgspec.Struct, frozen=True):
    order_line_id: str
    sku: str
    quantity: int
    condition: str


class ReplacementView(msgspec.Struct, frozen=True):
    sku: str
    quantity: int
    unit_price: int


class ExchangeView(msgspec.Struct, frozen=True):
    id: str
    order_id: str
    location_id: str
    value: int
    returned: list[ExchangedLine]
    replacements: list[ReplacementView]


def exchange(
    runtime: Runtime, unit: Unit, command: NewExchange, location_id: str | None
) -> ExchangeView:
    store = store_of(location_id)
    order = returnable_order(runtime, unit, command.order_id)
    return_id = unit.ids.new("ret")
    rows = take_back(unit, order, command.lines, return_id, store)
    list_prices = {
        line["id"]: line["unit_price"] for line in order_queries.lines(unit.conn, order["id"])
    }
    value = sum(list_prices[row["order_line_id"]] * row["quantity"] for row in rows)
    handed_out = _priced_replacements(runtime, unit, command.replacements, return_id, store)
    worth = sum(line["unit_price"] * line["quantity"] for line in handed_out)
    if worth != value:
        raise ExchangeNotEven(
            f"The replacements are worth {worth} and the units coming back {value}; an exchange "
            "must be even. Return the units and ring up a new sale instead.",
            errors=[FieldError("replacements", f"worth {worth}, not {value}")],
            extra={"returned_value": value, "replacement_value": worth},
        )
    _take_from_shelf(unit, handed_out, order["id"], store)
    for row in rows:
        row["amount"] = 0  # nothing was refunded
    record_return(unit, return_id, order, store, EXCHANGE, rows, None)
    return_queries.record_exchange_lines(unit.conn, handed_out)
    unit.emit(
        "order.exchanged",
        order_id=order["id"],
        customer_id=order["customer_id"],
        location_id=store,
        return_id=return_id,
        value=value,
        skus=[row["sku"] for row in rows],
        replacement_skus=[line["sku"] for line in handed_out],
    )
    return ExchangeView(
        return_id,
        order["id"],
        store,
        value,
        [
            ExchangedLine(row["order_line_id"], row["sku"], row["quantity"], row["condition"])
            for row in rows
        ],
        [ReplacementView(line["sku"], line["quantity"], line["unit_price"]) for line in handed_out],
    )


def _priced_replacements(
    runtime: Runtime,
    unit: Unit,
    replacements: list[Replacement],
    return_id: str,
    store: str,
) -> list[dict[str, Any]]:
    rows = []
    for index, wanted in enumerate(replacements):
        at = f"replacements[{index}]."
        sku, product = resolve_item(runtime, unit, wanted.sku, wanted.barcode, at)
        if not product.sold_on(POS_CHANNEL):
            raise UnknownSku(
                f"SKU {sku} is not sold in stores, so it cannot be handed out in exchange.",
                errors=[FieldError(f"{at}sku", "not sold in store")],
            )
        rows.append(
            {
                "id": unit.ids.new("xline"),
                "return_id": return_id,
                "sku": sku,
                "quantity": wanted.quantity,
                "unit_price": pos_price(runtime, unit.conn, sku),
                "location_id": store,
            }
        )
    return rows


def _take_from_shelf(unit: Unit, lines: list[dict[str, Any]], order_id: str, store: str) -> None:
    ref = Ref(unit.now, order_id=order_id)
    for index, line in enumerate(lines):
        sku, quantity = line["sku"], line["quantity"]
        if not inventory_queries.shift(unit.conn, EXCHANGE, sku, store, -quantity, ref):
            available = inventory_queries.available_at(unit.conn, sku, store)
            raise InsufficientStock(
                f"Only {available} of {sku} on the shelf at this store; {quantity} wanted.",
                errors=[
                    FieldError(
                        f"replacements[{index}].quantity", f"at most {available} at this store"
                    )
                ],
                extra={"sku": sku, "available": available},
            )
        unit.emit(
            "inventory.exchanged",
            order_id=order_id,
            sku=sku,
            location_id=store,
            quantity=quantity,
        )
