"""Returns arithmetic: what a returned unit is worth, and how a refund splits across tenders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta


def unit_refund(line_total: int, line_tax: int, line_quantity: int, quantity: int) -> int:
    """What ``quantity`` of a line's units paid, tax included, rounded down to the minor unit.

    The line total is after any promotion, so a unit bought on buy-one-get-one is worth half.
    """
    return (line_total + line_tax) * quantity // line_quantity


def split_refund(amount: int, paid: Sequence[int]) -> list[int]:
    """Split ``amount`` over tenders in proportion to what each paid (largest remainder), so a
    split-tender order is refunded to its tenders as it was paid and the parts add up exactly."""
    total = sum(paid)
    if total <= 0:
        return [0 for _ in paid]
    shares = [amount * part // total for part in paid]
    remainders = sorted(
        range(len(paid)), key=lambda i: (amount * paid[i] % total, -i), reverse=True
    )
    for index in remainders[: amount - sum(shares)]:
        shares[index] += 1
    return shares


# A fraud rule for returns without a receipt: a customer named on them gets at most this many
# in this long (the usual pattern is the same person bringing back shoplifted goods for credit).
RECEIPTLESS_LIMIT = 3
RECEIPTLESS_LIMIT_WINDOW = timedelta(days=30)
