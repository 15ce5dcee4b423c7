"""Cart rules that do not depend on storage."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from omniloom.domain.errors import CartFull, FieldError, InvalidInput

MAX_LINE_QUANTITY = 999
MAX_CART_LINES = 100

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_LINE_QUANTITY)]


class CartStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    ORDERED = "ordered"
    ABANDONED = "abandoned"


class ReservationPolicy(StrEnum):
    CHECKOUT = "checkout"
    ADD_TO_CART = "add_to_cart"


def grown_line(quantities: dict[str, int], sku: str, quantity: int) -> int:
    """The units a cart's line of ``sku`` holds once ``quantity`` more are added, given the
    quantity of each line already there; raises when the cart or the line would be too big."""
    if sku not in quantities and len(quantities) >= MAX_CART_LINES:
        raise CartFull(f"A cart holds at most {MAX_CART_LINES} lines.")
    total = quantities.get(sku, 0) + quantity
    if total > MAX_LINE_QUANTITY:
        raise InvalidInput(
            f"A line holds at most {MAX_LINE_QUANTITY} units; this would make {total}.",
            errors=[FieldError("quantity", f"line would exceed {MAX_LINE_QUANTITY} units")],
        )
    return total
