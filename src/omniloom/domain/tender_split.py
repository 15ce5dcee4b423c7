"""One payment at the till, two orders: how the tenders are shared between them.

The tenders are applied to the orders in the order the register offered them: the first order
is paid from the first tenders until it is covered, the second from the rest. A tender that
straddles the two pays part of each (two payments of one card, one gift card or the cash).
Only the amounts are split; what was handed over and the change stay with the sale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from omniloom.domain.tenders import AppliedTender


def split_tenders(
    tenders: Sequence[AppliedTender], first: int
) -> tuple[list[AppliedTender], list[AppliedTender]]:
    """The tenders' shares of the first order (``first`` minor units) and of the second."""
    total = sum(tender.amount for tender in tenders)
    if not 0 <= first <= total:
        raise ValueError(f"the first order's {first} is not within the {total} tendered")
    to_first: list[AppliedTender] = []
    to_second: list[AppliedTender] = []
    due = first
    for tender in tenders:
        share = min(due, tender.amount)
        due -= share
        if share:
            to_first.append(replace(tender, amount=share))
        if tender.amount - share:
            to_second.append(replace(tender, amount=tender.amount - share))
    return to_first, to_second
