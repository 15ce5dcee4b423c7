"""Carts as this process last left them, so that changing one on PostgreSQL need not read it.

A shopper's requests mostly reach the process that answered the last one (a client keeps its
connection open). When that process still knows the cart as its last change left it, the next
change (an added line, a checkout) skips reading the cart and its lines and holds back its
guarded version bump on what it knows: a checkout is then one round trip instead of two.

Nothing known here is trusted. The guard (``_BUMP_IF_UNCHANGED`` in store/cart_queries.py)
compares the cart's version, status and customer and every line's id and quantity with the
stored rows, in the unit's last statement; a cart changed anywhere else (another process, a
register, a cart merge, a restored snapshot) makes the unit run again, reading and locking as
it always did, and that run's answer stands. Knowing nothing costs a read, knowing wrong costs
one run more; neither changes an answer.

Only on PostgreSQL: on the embedded store a read is a lookup in the same process, cheaper than
keeping anything.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from omniloom.domain.carts import CartStatus
from omniloom.store.cart_queries import CartLine

# Carts kept per process; the least recently used go first. About 1 KB each.
CAPACITY = 20_000


class CartsSeen:
    def __init__(self, *, enabled: bool, capacity: int = CAPACITY) -> None:
        self.enabled = enabled
        self._capacity = capacity
        self._carts: OrderedDict[str, tuple[dict[str, Any], tuple[CartLine, ...]]] = OrderedDict()

    def get(self, cart_id: str) -> tuple[dict[str, Any], list[CartLine]] | None:
        """The cart and its lines as last left here (copies the caller may change), or None."""
        found = self._carts.get(cart_id)
        if found is None:
            return None
        self._carts.move_to_end(cart_id)
        cart, lines = found
        return dict(cart), list(lines)

    def keep(self, cart: dict[str, Any], lines: list[CartLine]) -> None:
        """Remember an active cart as a committed change (or a read) left it. An older version
        than the one known (a read that raced a change) is not kept."""
        if not self.enabled:
            return
        cart_id = cart["id"]
        if cart["status"] != CartStatus.ACTIVE:
            self._carts.pop(cart_id, None)
            return
        known = self._carts.get(cart_id)
        if known is not None and known[0]["version"] > cart["version"]:
            return
        self._carts[cart_id] = (dict(cart), tuple(lines))
        self._carts.move_to_end(cart_id)
        if len(self._carts) > self._capacity:
            self._carts.popitem(last=False)

    def forget(self, cart_id: str) -> None:
        self._carts.pop(cart_id, None)

    def forget_all(self) -> None:
        """The store was loaded again underneath (a reset, a restored snapshot)."""
        self._carts.clear()

    def __len__(self) -> int:
        return len(self._carts)
