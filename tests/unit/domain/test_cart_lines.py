"""How big a cart line may grow."""

from __future__ import annotations

import pytest

from omniloom.domain.carts import MAX_CART_LINES, MAX_LINE_QUANTITY, grown_line
from omniloom.domain.errors import CartFull, InvalidInput


def test_a_line_grows_by_what_is_added() -> None:
    assert grown_line({"SKU-MUG": 2}, "SKU-MUG", 3) == 5
    assert grown_line({"SKU-MUG": 2}, "SKU-LAMP", 1) == 1


def test_a_line_never_holds_more_than_the_limit() -> None:
    with pytest.raises(InvalidInput):
        grown_line({"SKU-MUG": MAX_LINE_QUANTITY}, "SKU-MUG", 1)


def test_a_full_cart_takes_more_of_a_line_but_no_new_line() -> None:
    full = {f"SKU-{i}": 1 for i in range(MAX_CART_LINES)}
    assert grown_line(full, "SKU-0", 1) == 2
    with pytest.raises(CartFull):
        grown_line(full, "SKU-NEW", 1)
