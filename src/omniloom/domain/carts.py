"""Cart rules that do not depend on storage."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

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
