"""Lifetime value: what a customer has spent with the store, less what came back."""

from __future__ import annotations

from collections.abc import Iterable

# The statuses of an order that was paid for (a cancelled or unpaid one earned nothing).
PAID_STATUSES = frozenset({"paid", "fulfilled", "ready_for_pickup", "picked_up"})


def lifetime_value(orders: Iterable[tuple[str, int]], refunds: Iterable[int]) -> tuple[int, int]:
    """(revenue, net): the totals of paid orders, given as (status, total) pairs, and that
    revenue less the ``refunds`` paid out for returns. Integer minor units."""
    revenue = sum(total for status, total in orders if status in PAID_STATUSES)
    return revenue, revenue - sum(refunds)
