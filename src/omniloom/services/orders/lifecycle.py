"""Order reads and the moves an order makes after it is paid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from omniloom.domain.errors import OrderNotFound
from omniloom.domain.orders import Fulfilment, OrderStatus, check_transition
from omniloom.services.catalog.browse import decode_cursor, encode_cursor
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import OrderLineView, OrderView, Page, PaymentView
from omniloom.services.returns import gift_cards as gift_card_refunds
from omniloom.store import inventory_queries, order_queries
from omniloom.store.inventory_queries import Ref


async def order_owner(runtime: Runtime, order_id: str) -> str | None:
    """The customer an order belongs to (None for a guest order, or no such order)."""
    order = await runtime.read(lambda conn: order_queries.order(conn, order_id))
    return None if order is None else order["customer_id"]


def load_order_view(conn: Connection, order_id: str) -> OrderView:
    order = order_queries.order(conn, order_id)
    if order is None:
        raise OrderNotFound(f"There is no order {order_id!r}.")
    return _order_view(conn, order)


def _order_view(conn: Connection, row: Mapping[str, Any]) -> OrderView:
    order_id = row["id"]
    return order_view(
        row, order_queries.lines(conn, order_id), order_queries.order_payments(conn, order_id)
    )


def order_view(
    row: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    payments: Sequence[Mapping[str, Any]],
) -> OrderView:
    """The order as clients see it, from its row, line rows and payment rows."""
    order_id = row["id"]
    return OrderView(
        id=order_id,
        cart_id=row["cart_id"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        status=row["status"],
        currency=row["currency"],
        subtotal=row["subtotal"],
        tax=row["tax"],
        shipping=row["shipping"],
        total=row["total"],
        fulfilment=row["fulfilment"],
        location_id=row["location_id"],
        ship_to=row["ship_to"],
        email=row["email"],
        lines=[
            OrderLineView(
                id=line["id"],
                sku=line["sku"],
                title=line["title"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                line_total=line["line_total"],
                tax=line["tax"],
                location_id=line["location_id"],
                discount=line.get("discount") or 0,
                promotion_id=line.get("promotion_id"),
            )
            for line in lines
        ],
        payments=[
            PaymentView(
                id=p["id"],
                method=p["method"],
                amount=p["amount"],
                currency=p["currency"],
                status=p["status"],
                card_brand=p["card_brand"],
                card_last4=p["card_last4"],
            )
            for p in payments
        ],
        placed_at=row["placed_at"],
        updated_at=row["updated_at"],
        routing=row.get("routing"),
    )


async def get_order(runtime: Runtime, order_id: str) -> OrderView:
    return await runtime.read(lambda conn: load_order_view(conn, order_id))


async def list_orders(
    runtime: Runtime, *, customer_id: str | None, cursor: str | None, limit: int
) -> Page:
    after_id = decode_cursor(cursor)

    def work(conn: Connection) -> Page:
        rows = order_queries.list_orders(
            conn, customer_id=customer_id, after_id=after_id, limit=limit + 1
        )
        items = [_order_view(conn, dict(row)) for row in rows[:limit]]
        return Page(
            items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None
        )

    return await runtime.read(work)


def move_order(unit: Unit, order_id: str, target: OrderStatus) -> OrderView:
    """Fulfil, mark ready, hand over or cancel an order, moving its stock to match."""
    order = order_queries.order(unit.conn, order_id)
    if order is None:
        raise OrderNotFound(f"There is no order {order_id!r}.")
    current = OrderStatus(order["status"])
    check_transition(current, target, Fulfilment(order["fulfilment"]))
    lines = order_queries.lines(unit.conn, order_id)
    ref = Ref(unit.now, order_id=order_id)
    if target in (OrderStatus.FULFILLED, OrderStatus.PICKED_UP):
        for line in lines:
            inventory_queries.consume(
                unit.conn, line["sku"], line["location_id"], line["quantity"], ref
            )
    elif target is OrderStatus.CANCELLED:
        for line in lines:
            inventory_queries.release(
                unit.conn, line["sku"], line["location_id"], line["quantity"], ref
            )
            unit.emit(
                "inventory.released",
                order_id=order_id,
                sku=line["sku"],
                location_id=line["location_id"],
                quantity=line["quantity"],
            )
        if current is not OrderStatus.PLACED:
            refunded = order_queries.refund_payments(unit.conn, order_id)
            for payment_id, method, amount in refunded:
                # The captured payment itself becomes the refund: its row is both.
                if method == "gift_card":
                    gift_card_refunds.credit_back(unit, order_id, payment_id, payment_id, amount)
            unit.emit(
                "payment.refunded",
                order_id=order_id,
                amount=sum(amount for _, _, amount in refunded),
            )
    order_queries.set_status(unit.conn, order_id, target, unit.now)
    unit.emit(f"order.{target}", order_id=order_id, customer_id=order["customer_id"])
    return load_order_view(unit.conn, order_id)


async def transition(
    runtime: Runtime, order_id: str, target: OrderStatus, channel: str
) -> OrderView:
    return await runtime.write(lambda unit: move_order(unit, order_id, target), channel)
