"""Promotions: channel-scoped price rules, applied one per line, the best one winning.

Two kinds cover the classic cases: a percentage off (``percent_off``) and buy X get Y free
(``buy_x_get_y``, e.g. buy one get one). A promotion may be limited to channels (the e-shop's
BOGO, the stores' 20 % off) and to a category, which includes its sub-categories. Promotions do
not stack: each line gets the one that saves the shopper most, so a line's price never depends
on the order promotions were created in. Amounts are integer minor units, rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class PromotionKind(StrEnum):
    PERCENT_OFF = "percent_off"
    BUY_X_GET_Y = "buy_x_get_y"


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    name: str
    kind: PromotionKind
    channels: frozenset[str] | None = None  # None: every channel
    category_id: str | None = None  # None: every product
    percent_off: int = 0
    buy: int = 0
    get: int = 0

    def applies(self, channel: str, categories: Iterable[str]) -> bool:
        if self.channels is not None and channel not in self.channels:
            return False
        return self.category_id is None or self.category_id in categories

    def discount(self, unit_price: int, quantity: int) -> int:
        if self.kind is PromotionKind.PERCENT_OFF:
            return (unit_price * quantity * self.percent_off + 50) // 100
        free_units = quantity // (self.buy + self.get) * self.get
        return free_units * unit_price


def best_discount(
    promotions: Iterable[Promotion],
    channel: str,
    categories: Iterable[str],
    unit_price: int,
    quantity: int,
) -> tuple[int, Promotion | None]:
    """The largest saving any applicable promotion gives this line, and that promotion."""
    categories = frozenset(categories)
    best: tuple[int, Promotion | None] = (0, None)
    # In id order, keeping only a strictly larger saving: ties go to the lower id.
    for promotion in sorted(promotions, key=lambda p: p.id):
        if promotion.applies(channel, categories):
            saving = promotion.discount(unit_price, quantity)
            if saving > best[0]:
                best = (saving, promotion)
    return best
