"""Request bodies for a customer's own data (wishlist)."""

from __future__ import annotations

import msgspec


class WishProduct(msgspec.Struct, forbid_unknown_fields=True):
    product_id: str
