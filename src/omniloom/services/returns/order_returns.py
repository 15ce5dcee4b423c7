"""Returns: any order, at any store or by mail, refunded to its tenders or as store credit.

A return is one unit of work: the lines are checked against what was bought and what already
came back, restocked units go back on the returning location's shelf through the ledger, and
the refund is split over the order's tenders in proportion to what each paid (a gift card is
credited again, a card or cash gets a refund row) or issued as a new store-credit gift card.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from omniloom.domain.errors import (
    FieldError,
    InvalidInput,
    NotReturnable,
    OrderNotFound,
    ReturnWindowClosed,
    ShiftNotOpen,
)
from omniloom.domain.orders import OrderStatus
from omniloom.domain.returns import split_refund, unit_refund
from omniloom.services.checkout.commands import Identifier
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.orders.builder import payment_row
from omniloom.services.pos.common import open_shift_of, register_at
from omniloom.services.returns import gift_cards as gift_card_refunds
from omniloom.store import inventory_queries, order_queries, pos_queries, return_queries
from omniloom.store.inventory_queries import Ref

HANDED_OVER = {OrderStatus.FULFILLED, OrderStatus.PICKED_UP}


class Condition(StrEnum):
    RESTOCK = "restock"
    DAMAGED = "damaged"


class RefundTo(StrEnum):
    ORIGINAL = "original"
    STORE_CREDIT = "store_credit"


class ReturnLine(msgspec.Struct, forbid_unknown_fields=True):
    order_line_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1
    condition: Condition = Condition.RESTOCK


class NewReturn(msgspec.Struct, forbid_unknown_fields=True):
    order_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    lines: Annotated[list[ReturnLine], msgspec.Meta(min_length=1, max_length=100)]
    refund_to: RefundTo = RefundTo.ORIGINAL
    # At the till: the register whose drawer pays back any part of the refund due in cash.
    register_id: Identifier | None = None


class RefundView(msgspec.Struct, frozen=True):
    method: str
    amount: int
    card_last4: str | None = None


class ReturnView(msgspec.Struct, frozen=True):
    id: str
    order_id: str
    location_id: str | None
    amount: int
    refund_to: str
    refunds: list[RefundView]
    store_credit_code: str | None = None


def accept_return(
    runtime: Runtime, unit: Unit, command: NewReturn, location_id: str | None
) -> ReturnView:
    """Take a return at ``location_id`` (a store), or by mail when it is None."""
    order = returnable_order(runtime, unit, command.order_id)
    return_id = unit.ids.new("ret")
    rows = take_back(unit, order, command.lines, return_id, location_id)
    amount = sum(row["amount"] for row in rows)
    refunds, credit_code = (
        _refund_tenders(unit, order, amount)
        if command.refund_to is RefundTo.ORIGINAL
        else _store_credit(unit, order["id"], order["currency"], amount, return_id)
    )
    _pay_cash_from_drawer(unit, location_id, command.register_id, refunds)
    record_return(unit, return_id, order, location_id, command.refund_to.value, rows, credit_code)
    unit.emit(
        "order.returned",
        order_id=command.order_id,
        customer_id=order["customer_id"],
        location_id=location_id,
        amount=amount,
        refund_to=command.refund_to.value,
        skus=[row["sku"] for row in rows],
    )
    return ReturnView(
        return_id,
        command.order_id,
        location_id,
        amount,
        command.refund_to.value,
        refunds,
        credit_code,
    )


def returnable_order(runtime: Runtime, unit: Unit, order_id: str) -> dict[str, Any]:
    """The order, if its units may come back now: handed over and within the return window."""
    order = order_queries.order(unit.conn, order_id)
    if order is None:
        raise OrderNotFound(f"There is no order {order_id!r}.")
    if OrderStatus(order["status"]) not in HANDED_OVER:
        raise NotReturnable(
            f"Order {order_id} is {order['status']}: only handed-over orders come back; "
            "cancel it instead.",
            errors=[FieldError("order_id", "not handed over yet")],
        )
    if unit.now - order["placed_at"] > runtime.settings.return_window:
        raise ReturnWindowClosed(
            f"Order {order_id} is past its "
            f"{runtime.settings.return_window.days}-day return window.",
            errors=[FieldError("order_id", "return window closed")],
        )
    return order


def take_back(
    unit: Unit,
    order: dict[str, Any],
    lines: list[ReturnLine],
    return_id: str,
    location_id: str | None,
) -> list[dict[str, Any]]:
    """Check each line against what was bought and what already came back, restock the units
    in good condition (at ``location_id``, or where they came from when by mail), and return
    the return-line rows, each with what its units paid."""
    bought = {line["id"]: line for line in order_queries.lines(unit.conn, order["id"])}
    ref = Ref(unit.now, order_id=order["id"])
    rows: list[dict[str, Any]] = []
    for index, wanted in enumerate(lines):
        line = bought.get(wanted.order_line_id)
        if line is None:
            raise InvalidInput(
                f"Order {order['id']} has no line {wanted.order_line_id!r}.",
                errors=[FieldError(f"lines[{index}].order_line_id", "not on this order")],
            )
        already = return_queries.returned_quantity(unit.conn, line["id"]) + sum(
            row["quantity"] for row in rows if row["order_line_id"] == line["id"]
        )
        if already + wanted.quantity > line["quantity"]:
            raise NotReturnable(
                f"{line['quantity']} of {line['sku']} were bought and {already} already came "
                f"back; {wanted.quantity} more cannot.",
                errors=[
                    FieldError(f"lines[{index}].quantity", f"at most {line['quantity'] - already}")
                ],
            )
        restocked_at = location_id or line["location_id"]
        if wanted.condition is Condition.RESTOCK:
            inventory_queries.shift(
                unit.conn, "return", line["sku"], restocked_at, wanted.quantity, ref
            )
        rows.append(
            {
                "id": unit.ids.new("rline"),
                "return_id": return_id,
                "order_line_id": line["id"],
                "sku": line["sku"],
                "quantity": wanted.quantity,
                "condition": wanted.condition.value,
                "restocked_at": restocked_at if wanted.condition is Condition.RESTOCK else None,
                "amount": unit_refund(
                    line["line_total"], line["tax"], line["quantity"], wanted.quantity
                ),
            }
        )
    return rows


def record_return(
    unit: Unit,
    return_id: str,
    order: dict[str, Any],
    location_id: str | None,
    refund_to: str,
    rows: list[dict[str, Any]],
    credit_code: str | None,
) -> None:
    return_queries.record(
        unit.conn,
        {
            "id": return_id,
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "location_id": location_id,
            "refund_to": refund_to,
            "amount": sum(row["amount"] for row in rows),
            "store_credit_code": credit_code,
            "channel": unit.channel,
            "created_at": unit.now,
        },
        rows,
    )


def _pay_cash_from_drawer(
    unit: Unit, location_id: str | None, register_id: str | None, refunds: list[RefundView]
) -> None:
    """Cash handed back at a till leaves that till's drawer, so its shift expects that much
    less when the drawer is counted. By mail there is no drawer: the cash goes out as a cheque.
    """
    cash = sum(refund.amount for refund in refunds if refund.method == "cash")
    if not cash or location_id is None:
        return
    if register_id is None:
        raise InvalidInput(
            f"{cash} of this refund is due in cash: name the register whose drawer pays it.",
            errors=[FieldError("register_id", "required when cash is refunded at a store")],
        )
    shift_id = open_shift_of(register_at(unit.conn, location_id, register_id))
    if not pos_queries.add_cash_refund(unit.conn, shift_id, cash):
        raise ShiftNotOpen(f"Shift {shift_id} closed during the return; open a shift and retry.")


def _refund_tenders(
    unit: Unit, order: dict[str, Any], amount: int
) -> tuple[list[RefundView], None]:
    captured = [
        p for p in order_queries.order_payments(unit.conn, order["id"]) if p["status"] == "captured"
    ]
    refunds = []
    for payment, share in zip(
        captured, split_refund(amount, [p["amount"] for p in captured]), strict=True
    ):
        if share == 0:
            continue
        row = payment_row(
            unit,
            order["id"],
            payment["method"],
            share,
            order["currency"],
            last4=payment["card_last4"],
        )
        row["status"] = "refunded"
        order_queries.insert_payments(unit.conn, [row])
        if payment["method"] == "gift_card":
            gift_card_refunds.credit_back(unit, order["id"], payment["id"], row["id"], share)
        unit.emit("payment.refunded", order_id=order["id"], amount=share, method=payment["method"])
        refunds.append(RefundView(payment["method"], share, payment["card_last4"]))
    return refunds, None


def _store_credit(
    unit: Unit, order_id: str | None, currency: str, amount: int, return_id: str
) -> tuple[list[RefundView], str]:
    return [RefundView("store_credit", amount)], issue_store_credit(
        unit, order_id, currency, amount, return_id
    )


def issue_store_credit(
    unit: Unit, order_id: str | None, currency: str, amount: int, return_id: str
) -> str:
    """A new gift card holding ``amount``; its code."""
    code = "SC" + secrets.token_hex(6).upper() if unit.ids.seed is None else unit.ids.new("sc")
    return_queries.issue_gift_card(
        unit.conn,
        {"code": code, "balance": amount, "currency": currency, "issued_at": unit.now},
        {
            "id": unit.ids.new("gct"),
            "code": code,
            "order_id": order_id,
            "payment_id": None,
            "amount": amount,
            "balance_after": amount,
            "created_at": unit.now,
        },
    )
    unit.emit("store_credit.issued", order_id=order_id, amount=amount, return_id=return_id)
    return code
