"""Sharing one till payment between the shipped order and the counter order."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from omniloom.domain.tender_split import split_tenders
from omniloom.domain.tenders import AppliedTender, TenderRequest, TenderType, allocate

CARD = TenderRequest(TenderType.CARD, 3_000, "4242424242424242")
GIFT = TenderRequest(TenderType.GIFT_CARD, 1_000, "GC-1")
CASH = TenderRequest(TenderType.CASH, 10_000)


def amounts(tenders: Sequence[AppliedTender]) -> list[tuple[str, int]]:
    return [(str(tender.type), tender.amount) for tender in tenders]


def test_the_first_order_is_paid_from_the_first_tenders() -> None:
    allocation = allocate(5_500, [CARD, GIFT, CASH])
    first, second = split_tenders(allocation.tenders, 3_500)
    assert amounts(first) == [("card", 3_000), ("gift_card", 500)]
    assert amounts(second) == [("gift_card", 500), ("cash", 1_500)]


def test_each_share_adds_up_and_keeps_the_tender_it_came_from() -> None:
    allocation = allocate(5_500, [CARD, GIFT, CASH])
    for first_total in range(0, 5_501, 250):
        first, second = split_tenders(allocation.tenders, first_total)
        assert sum(t.amount for t in first) == first_total
        assert sum(t.amount for t in second) == 5_500 - first_total
        assert all(t.amount > 0 for t in first + second)
        # Each tender's shares, wherever they went, are that tender and add up to it.
        for tendered in allocation.tenders:
            shares = [t for t in first + second if t.index == tendered.index]
            assert {t.type for t in shares} == {tendered.type}
            assert sum(t.amount for t in shares) == tendered.amount


def test_one_order_alone_takes_every_tender_whole() -> None:
    allocation = allocate(4_000, [CARD, GIFT])
    assert split_tenders(allocation.tenders, 0) == ([], list(allocation.tenders))
    assert split_tenders(allocation.tenders, 4_000) == (list(allocation.tenders), [])


def test_more_than_was_tendered_is_refused() -> None:
    with pytest.raises(ValueError):
        split_tenders(allocate(4_000, [CARD, GIFT]).tenders, 4_001)
