"""Applying one offline sale: stock out of the register's store, its tenders taken, one order.

Each sale runs under its own savepoint. A sale the store's stock policy cannot take, or whose
card is declined now, is rolled back whole (stock, gift-card balance, order, events) and
recorded as a rejected conflict; the rest of the batch carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from omniloom.domain.errors import GiftCardInsufficient, PaymentDeclined
from omniloom.domain.tenders import Allocation, TenderType
from omniloom.services.carts import cart as carts
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.inventory.conflicts import StockConflictView, conflict_view
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.orders.builder import order_line_row, record_order
from omniloom.services.pos.common import POS_CHANNEL
from omniloom.services.pos.payment import counter_order, take_tender
from omniloom.services.pos.sales import new_sale
from omniloom.store import inventory_queries, pos_offline_queries, pos_queries
from omniloom.store.database import savepoint
from omniloom.store.inventory_queries import Ref

# Recorded on the line when the register charged other than the store's price today.
OFFLINE_PRICE = "offline_price"


@dataclass(frozen=True, slots=True)
class PlannedLine:
    sku: str
    title: str
    quantity: int
    price: LinePrice
    list_price: int
    charged: bool  # the price is the one the register charged, not the store's


@dataclass(frozen=True, slots=True)
class PlannedSale:
    index: int  # position in the uploaded batch
    local_id: str
    occurred_at: datetime
    shift_id: str | None
    customer_id: str | None
    lines: list[PlannedLine]
    allocation: Allocation


class SaleResult(msgspec.Struct, frozen=True):
    local_id: str
    occurred_at: datetime  # as the register reported it
    status: str  # applied, rejected, or duplicate (reconciled by an earlier batch)
    order_id: str | None
    total: int
    conflicts: list[StockConflictView]


class _Rejected(Exception):
    """The sale cannot be taken as it stands; what stood in its way."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems)
        self.problems = problems


def apply_sale(
    runtime: Runtime,
    unit: Unit,
    register: dict[str, Any],
    batch_id: str,
    plan: PlannedSale,
    *,
    oversell: bool,
) -> SaleResult:
    total = plan.allocation.total
    earlier = pos_offline_queries.reconciled_sale(unit.conn, register["id"], plan.local_id)
    if earlier is not None:
        return SaleResult(plan.local_id, plan.occurred_at, "duplicate", earlier[1], total, [])
    mark = len(unit.events)
    try:
        with savepoint(unit.conn, "offline_sale"):
            order_id, oversold = _take(runtime, unit, register, plan, oversell=oversell)
    except _Rejected as rejected:
        del unit.events[mark:]  # their rows were rolled back with them
        conflicts = _record(unit, register, batch_id, plan, "rejected", None, rejected.problems)
        unit.emit(
            "pos.offline_sale_rejected",
            customer_id=plan.customer_id,
            register_id=register["id"],
            location_id=register["location_id"],
            batch_id=batch_id,
            local_id=plan.local_id,
            reasons=sorted({problem["kind"] for problem in rejected.problems}),
        )
        return SaleResult(plan.local_id, plan.occurred_at, "rejected", None, total, conflicts)
    conflicts = _record(unit, register, batch_id, plan, "applied", order_id, oversold)
    for conflict in conflicts:
        # The well-known oversell: the till sold what the books had promised elsewhere.
        unit.emit(
            "inventory.oversold",
            order_id=order_id,
            sku=conflict.sku,
            location_id=conflict.location_id,
            quantity=conflict.quantity,
            shortfall=conflict.shortfall,
            conflict_id=conflict.id,
            register_id=register["id"],
            batch_id=batch_id,
            local_id=plan.local_id,
        )
    return SaleResult(plan.local_id, plan.occurred_at, "applied", order_id, total, conflicts)


def _take(
    runtime: Runtime, unit: Unit, register: dict[str, Any], plan: PlannedSale, *, oversell: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Write the sale; its order id and the lines it oversold, or raise ``_Rejected``."""
    store = register["location_id"]
    cart = carts.create_cart(runtime, unit, device_id=register["id"], customer_id=plan.customer_id)
    new_sale(unit, register, cart.id, "offline")
    order_id = unit.ids.new("ord")
    oversold = _take_stock(unit, store, plan, Ref(unit.now, order_id=order_id), oversell)
    payments = []
    for tender in plan.allocation.tenders:
        try:
            payments.append(take_tender(unit, order_id, tender, cart.currency))
        except PaymentDeclined as declined:
            raise _Rejected([{"kind": "payment_declined", "detail": declined.code}]) from None
        except GiftCardInsufficient as short:
            raise _Rejected([{"kind": "gift_card_insufficient", "detail": short.detail}]) from None
    order_lines = []
    for line in plan.lines:
        order_lines.append(
            order_line_row(
                runtime, unit, order_id, line.sku, line.title, line.quantity, line.price, store
            )
        )
        if line.charged and line.price.unit_price != line.list_price:
            pos_queries.put_override(
                unit.conn,
                {
                    "cart_id": cart.id,
                    "sku": line.sku,
                    "unit_price": line.price.unit_price,
                    "original_price": line.list_price,
                    "reason_code": OFFLINE_PRICE,
                    "associate_id": None,
                    "created_at": unit.now,
                },
            )
    order = counter_order(
        unit, order_id, cart.id, cart.customer_id, cart.currency, store, order_lines
    )
    # The sale happened when the register says; the order was written now.
    order["channel"], order["placed_at"] = POS_CHANNEL, plan.occurred_at
    record_order(unit, order, order_lines, payments)
    allocation = plan.allocation
    cash = next((t for t in allocation.tenders if t.type is TenderType.CASH), None)
    # Cash goes into the drawer count of its shift while that is still open; a shift already
    # closed was counted with it in the drawer, as its variance shows.
    cash_counted = plan.shift_id is not None and pos_queries.add_cash_sale(
        unit.conn, plan.shift_id, allocation.cash_taken
    )
    pos_queries.close_sale(
        unit.conn,
        cart.id,
        status="completed",
        now=unit.now,
        shift_id=plan.shift_id,
        order_id=order_id,
        cash_tendered=cash.tendered if cash else 0,
        change_given=allocation.change,
    )
    unit.emit("order.paid", order_id=order_id, customer_id=cart.customer_id)
    unit.emit("order.picked_up", order_id=order_id, customer_id=cart.customer_id)
    unit.emit(
        "pos.offline_sale_applied",
        order_id=order_id,
        cart_id=cart.id,
        customer_id=cart.customer_id,
        register_id=register["id"],
        shift_id=plan.shift_id,
        local_id=plan.local_id,
        occurred_at=plan.occurred_at.isoformat(),
        total=order["total"],
        tenders=[{"type": str(t.type), "amount": t.amount} for t in allocation.tenders],
        change=allocation.change,
        cash_counted_in_shift=cash_counted,
    )
    return order_id, oversold


def _take_stock(
    unit: Unit, store: str, plan: PlannedSale, ref: Ref, oversell: bool
) -> list[dict[str, Any]]:
    """Take every line's units; the lines that went short, or raise when policy forbids it."""
    refused, oversold = [], []
    for line in plan.lines:
        taken = inventory_queries.sell_offline(
            unit.conn, line.sku, store, line.quantity, ref, oversell=oversell
        )
        on_hand, reserved = inventory_queries.stock_level(unit.conn, line.sku, store) or (0, 0)
        problem = {"sku": line.sku, "quantity": line.quantity}
        if not taken:
            short = line.quantity - max(on_hand - reserved, 0)
            refused.append({**problem, "kind": "insufficient_stock", "shortfall": short})
        elif reserved > on_hand:
            short = min(line.quantity, reserved - on_hand)
            oversold.append({**problem, "kind": "oversold", "shortfall": short})
    if refused:
        raise _Rejected(refused)
    return oversold


def _record(
    unit: Unit,
    register: dict[str, Any],
    batch_id: str,
    plan: PlannedSale,
    status: str,
    order_id: str | None,
    problems: list[dict[str, Any]],
) -> list[StockConflictView]:
    """The sale's settlement and its conflicts: open for an applied sale, else rejected."""
    pos_offline_queries.insert_sale(
        unit.conn,
        {
            "register_id": register["id"],
            "local_id": plan.local_id,
            "batch_id": batch_id,
            "location_id": register["location_id"],
            "status": status,
            "order_id": order_id,
            "occurred_at": plan.occurred_at,
            "reconciled_at": unit.now,
        },
    )
    rows = [
        {
            "id": unit.ids.new("scf"),
            "kind": problem["kind"],
            "status": "open" if order_id else "rejected",
            "location_id": register["location_id"],
            "register_id": register["id"],
            "batch_id": batch_id,
            "local_id": plan.local_id,
            "order_id": order_id,
            "sku": problem.get("sku"),
            "quantity": problem.get("quantity"),
            "shortfall": problem.get("shortfall"),
            "detail": problem.get("detail"),
            "created_at": unit.now,
            "counted": None,
            "resolved_at": None,
        }
        for problem in problems
    ]
    pos_offline_queries.insert_conflicts(unit.conn, rows)
    return [conflict_view(row) for row in rows]
