"""Tender arithmetic: change, split tender and cash rounding, all in integer minor units."""

from __future__ import annotations

import random

import pytest

from omniloom.domain.errors import InvalidInput, TenderShort
from omniloom.domain.tenders import TenderRequest, TenderType, allocate, round_cash

CARD = TenderType.CARD
CASH = TenderType.CASH
GIFT = TenderType.GIFT_CARD


def test_cash_gives_change() -> None:
    allocation = allocate(5444, [TenderRequest(CASH, 6000)])
    [cash] = allocation.tenders
    assert (cash.amount, cash.tendered, cash.change) == (5444, 6000, 556)
    assert (allocation.change, allocation.cash_taken, allocation.total) == (556, 5444, 5444)


def test_exact_cash_gives_no_change() -> None:
    assert allocate(1999, [TenderRequest(CASH, 1999)]).change == 0


def test_split_tender_pays_cards_first_and_cash_covers_the_rest() -> None:
    tenders = [
        TenderRequest(CASH, 3000),
        TenderRequest(CARD, 5000, "4242424242424242"),
        TenderRequest(GIFT, 5000, "GC-1"),
    ]
    allocation = allocate(12_412, tenders)
    # Listed in the order offered; the applied amounts add up to the total exactly.
    assert [(t.type, t.amount, t.change) for t in allocation.tenders] == [
        (CASH, 2412, 588),
        (CARD, 5000, 0),
        (GIFT, 5000, 0),
    ]
    assert sum(t.amount for t in allocation.tenders) == allocation.total == 12_412
    assert allocation.cash_taken == 2412


def test_cards_alone_must_match_the_total() -> None:
    halves = [TenderRequest(CARD, 617, "a"), TenderRequest(GIFT, 617, "b")]
    assert sum(t.amount for t in allocate(1234, halves).tenders) == 1234
    with pytest.raises(TenderShort) as short:
        allocate(1235, halves)
    assert short.value.extra == {"due": 1235, "short_by": 1}


def test_short_cash_is_refused_with_what_is_missing() -> None:
    with pytest.raises(TenderShort) as short:
        allocate(5000, [TenderRequest(CARD, 1000, "x"), TenderRequest(CASH, 3999)])
    assert short.value.code == "tender_short"
    assert short.value.extra == {"due": 4000, "short_by": 1}


def test_a_card_may_not_pay_more_than_is_due() -> None:
    with pytest.raises(InvalidInput) as over:
        allocate(1000, [TenderRequest(GIFT, 600, "g"), TenderRequest(CARD, 500, "c")])
    assert over.value.errors[0].field == "tenders[1].amount"


def test_cash_where_none_is_needed_or_twice_is_refused() -> None:
    with pytest.raises(InvalidInput):
        allocate(1000, [TenderRequest(CARD, 1000, "c"), TenderRequest(CASH, 500)])
    with pytest.raises(InvalidInput):
        allocate(1000, [TenderRequest(CASH, 500), TenderRequest(CASH, 500)])


@pytest.mark.parametrize(
    ("amount", "increment", "rounded"),
    [(1234, 1, 1234), (1232, 5, 1230), (1233, 5, 1235), (1237, 5, 1235), (1238, 10, 1240)],
)
def test_cash_rounding_is_half_up_in_minor_units(amount: int, increment: int, rounded: int) -> None:
    assert round_cash(amount, increment) == rounded


def test_cash_rounding_moves_the_total_and_the_change() -> None:
    allocation = allocate(1233, [TenderRequest(CARD, 1000, "c"), TenderRequest(CASH, 500)], 5)
    assert allocation.total == 1235  # the 2 cents the drawer cannot give are rounded up
    assert [(t.type, t.amount, t.change) for t in allocation.tenders] == [
        (CARD, 1000, 0),
        (CASH, 235, 265),
    ]


def test_applied_tenders_always_sum_to_the_total() -> None:
    rng = random.Random(4)
    for _ in range(500):
        total = rng.randrange(0, 100_000)
        left = total
        tenders = []
        for kind in (CARD, GIFT):
            share = rng.randrange(0, left + 1)
            if share:
                tenders.append(TenderRequest(kind, share, "x"))
                left -= share
        if left:
            tenders.append(TenderRequest(CASH, left + rng.randrange(0, 5000)))
        allocation = allocate(total, tenders)
        assert sum(t.amount for t in allocation.tenders) == total
        assert allocation.change == sum(t.tendered for t in allocation.tenders) - total
