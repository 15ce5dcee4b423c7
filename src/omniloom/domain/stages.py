"""Journey stages: where a customer stands, derived from what their journal shows.

The funnel the articles describe — awareness → consideration → purchase → repeat → advocacy —
as one rule over a customer's events. A customer's stage is the furthest one their journal
reaches; it never moves back (a shopper who bought once has bought, whatever came after):

- ``awareness``: known to the store (registered, signed in, reached by a message), nothing
  looked at yet;
- ``consideration``: looked at or wanted something — a product view, a search, a cart edit,
  a wishlist entry, a tracked link opened;
- ``purchase``: one order, on any channel (cancelled or returned later, the shopper still
  decided to buy);
- ``repeat``: two or more orders, on any channels (repeat purchase and cross-sell alike);
- ``advocacy``: reviewed a product they bought (a review needs a purchase).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

ORDER_EVENT = "order.placed"
REVIEW_EVENTS = frozenset({"review.posted", "review.updated"})
CONSIDERATION_PREFIXES = ("catalog.", "cart.", "wishlist.", "link.")


class Stage(StrEnum):
    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    PURCHASE = "purchase"
    REPEAT = "repeat"
    ADVOCACY = "advocacy"


# The funnel in order, for reports that list every stage (zeros included).
STAGES: tuple[Stage, ...] = tuple(Stage)


def stage_of(events: Iterable[tuple[str, str | None]]) -> Stage:
    """The stage a customer's events reach; ``events`` are (event type, order id) pairs.

    Orders are counted by id, so an order's several events (or a replayed one) count once.
    """
    orders: set[str] = set()
    considered = reviewed = False
    for event_type, order_id in events:
        if event_type == ORDER_EVENT:
            orders.add(order_id or "")
        elif event_type in REVIEW_EVENTS:
            reviewed = True
        elif event_type.startswith(CONSIDERATION_PREFIXES):
            considered = True
    if reviewed:
        return Stage.ADVOCACY
    if len(orders) >= 2:
        return Stage.REPEAT
    if orders:
        return Stage.PURCHASE
    return Stage.CONSIDERATION if considered else Stage.AWARENESS


def count_by_stage(stages: Iterable[Stage]) -> dict[str, int]:
    """How many customers stand at each stage, every stage named (zeros included)."""
    counts = dict.fromkeys((stage.value for stage in STAGES), 0)
    for stage in stages:
        counts[stage.value] += 1
    return counts
