"""The store's invariants as queries: each returns the rows that break one (none when it holds)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

# Orders whose stock is still held (reserved) rather than gone or given back.
_HOLDING = "('placed', 'paid', 'ready_for_pickup')"
_PAID = "('paid', 'fulfilled', 'ready_for_pickup', 'picked_up')"

CHECKS: dict[str, tuple[str, str]] = {
    "ledger_balanced": (
        "on hand = opening stock + the sum of its movements; reserved = the sum of its holds",
        """
        SELECT i.sku, i.location_id, i.on_hand, i.opening_on_hand + COALESCE(m.on_hand, 0),
               i.reserved, COALESCE(m.reserved, 0)
        FROM inventory i
        LEFT JOIN (
            SELECT sku, location_id,
                   SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
            FROM stock_movements GROUP BY sku, location_id
        ) m ON m.sku = i.sku AND m.location_id = i.location_id
        WHERE i.on_hand <> i.opening_on_hand + COALESCE(m.on_hand, 0)
           OR i.reserved <> COALESCE(m.reserved, 0)
        """,
    ),
    # The one exception is the flagged oversell: an offline register sold what the books did
    # not have, at a location whose policy accepts that, and the conflict is still open.
    "stock_never_negative": (
        "no location has negative stock or holds more than it has, except an oversell its "
        "policy allows and an open stock conflict flags",
        """
        SELECT i.sku, i.location_id, i.on_hand, i.reserved
        FROM inventory i JOIN locations l ON l.id = i.location_id
        WHERE i.reserved < 0
           OR ((i.on_hand < 0 OR i.reserved > i.on_hand)
               AND NOT (l.negative_stock_allowed AND EXISTS (
                   SELECT 1 FROM stock_conflicts c
                   WHERE c.sku = i.sku AND c.location_id = i.location_id
                     AND c.status = 'open'
               )))
        """,
    ),
    "holds_match_reservations": (
        "reserved stock = open cart holds + lines of orders not yet handed over",
        f"""
        SELECT i.sku, i.location_id, i.reserved, COALESCE(h.quantity, 0) + COALESCE(o.quantity, 0)
        FROM inventory i
        LEFT JOIN (
            SELECT sku, location_id, SUM(quantity) AS quantity
            FROM reservations GROUP BY sku, location_id
        ) h ON h.sku = i.sku AND h.location_id = i.location_id
        LEFT JOIN (
            SELECT ol.sku, ol.location_id, SUM(ol.quantity) AS quantity
            FROM order_lines ol JOIN orders o ON o.id = ol.order_id
            WHERE o.status IN {_HOLDING}
            GROUP BY ol.sku, ol.location_id
        ) o ON o.sku = i.sku AND o.location_id = i.location_id
        WHERE i.reserved <> COALESCE(h.quantity, 0) + COALESCE(o.quantity, 0)
        """,
    ),
    "paid_orders_fully_paid": (
        "every paid order's captured payments add up to its total",
        f"""
        SELECT o.id, o.total, COALESCE(SUM(p.amount), 0)
        FROM orders o
        LEFT JOIN payments p ON p.order_id = o.id AND p.status = 'captured'
        WHERE o.status IN {_PAID}
        GROUP BY o.id, o.total
        HAVING COALESCE(SUM(p.amount), 0) <> o.total
        """,
    ),
    "refunds_within_payments": (
        "no order is refunded more than it paid, and a cancelled order keeps no captured money",
        """
        SELECT o.id, o.status,
               SUM(CASE WHEN p.status = 'refunded' THEN p.amount ELSE 0 END),
               SUM(CASE WHEN p.status = 'captured' THEN p.amount ELSE 0 END)
        FROM orders o JOIN payments p ON p.order_id = o.id
        GROUP BY o.id, o.status, o.total
        HAVING SUM(CASE WHEN p.status = 'refunded' THEN p.amount ELSE 0 END) > o.total
            OR (o.status = 'cancelled'
                AND SUM(CASE WHEN p.status = 'captured' THEN p.amount ELSE 0 END) > 0)
        """,
    ),
    "order_lines_traced": (
        "every order line's stock was taken by a recorded movement (held, or sold offline)",
        """
        SELECT ol.order_id, ol.sku, ol.location_id FROM order_lines ol
        WHERE NOT EXISTS (
            SELECT 1 FROM stock_movements m
            WHERE m.order_id = ol.order_id AND m.sku = ol.sku
              AND m.location_id = ol.location_id AND m.kind IN ('reserve', 'offline_sale')
        )
        """,
    ),
}


def violations(conn: Connection, check: str, limit: int = 5) -> tuple[int, list[list[Any]]]:
    """How many rows break ``check``, and the first few of them."""
    rows = conn.execute(text(CHECKS[check][1])).all()
    return len(rows), [list(row) for row in rows[:limit]]
