"""Money paid from a gift card goes back onto that card, whoever gives it back."""

from __future__ import annotations

from omniloom.services.kernel.unit import Unit
from omniloom.store import return_queries


def credit_back(unit: Unit, order_id: str, paid_with: str, refund_id: str, amount: int) -> None:
    """Credit ``amount`` to the gift card behind payment ``paid_with`` and record it against the
    refund ``refund_id``; a payment made by any other tender has no card to credit."""
    code = return_queries.gift_card_of_payment(unit.conn, paid_with)
    if code is None:
        return
    balance = return_queries.credit_gift_card(unit.conn, code, amount)
    return_queries.record_gift_card_transaction(
        unit.conn,
        {
            "id": unit.ids.new("gct"),
            "code": code,
            "order_id": order_id,
            "payment_id": refund_id,
            "amount": amount,
            "balance_after": balance,
            "created_at": unit.now,
        },
    )
