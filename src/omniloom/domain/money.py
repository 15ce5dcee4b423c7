"""Money arithmetic in integer minor units; never floats."""

from __future__ import annotations


def tax_on(amount: int, rate_bps: int) -> int:
    """Tax in minor units, rounded half up, on an amount at a rate in basis points."""
    return (amount * rate_bps + 5_000) // 10_000


def line_total(unit_price: int, quantity: int, discount: int = 0) -> int:
    """What a line costs before tax: its units at the unit price, less the promotion's saving."""
    return unit_price * quantity - discount
