"""A receipt lists each tender once, with what a gift card has left after the sale."""

from __future__ import annotations

from typing import Any

from omniloom.services.pos.receipts import _merged


def _gift(payment_id: str, amount: int) -> dict[str, Any]:
    return {
        "id": payment_id,
        "method": "gift_card",
        "card_brand": None,
        "card_last4": "0001",
        "amount": amount,
    }


def test_a_gift_card_emptied_across_both_orders_reads_zero() -> None:
    # Listed counter order first, though the card was emptied there and redeemed earlier for
    # the delivery: its balance after the sale is the lowest, 0.
    merged = _merged([_gift("pay_a", 1500), _gift("pay_b", 500)], {"pay_a": 0, "pay_b": 1500})
    assert merged == [{**_gift("pay_a", 2000), "balance_after": 0}]


def test_the_lowest_balance_wins_whichever_payment_comes_first() -> None:
    merged = _merged([_gift("pay_a", 500), _gift("pay_b", 1500)], {"pay_a": 1500, "pay_b": 0})
    assert merged[0]["balance_after"] == 0 and merged[0]["amount"] == 2000
