"""Carts as this process last left them, so that changing one on PostgreSQL need not read it.

A shopper's requests mostly reach the process that answered the last one (a client keeps its
connection open). When that process still knows the cart as its last change left it, the next
change (an added line, a checkout) skips reading the cart and its lines and holds back its
guarded version bump on what it knows: a checkout is then one round trip instead of two.

Nothing known here is trusted. The guard (``_BUMP_IF_UNCHANGED`` in store/cart_queries.py)
compares the cart's version, status and customer and every line's id and quantity with the
stored rows, in the unit's last statement; a cart changed anywhere else (another process, a
register, a cart merge, a restored snapshot) makes nothing of the unit stay, and it runs again
reading the cart (pg_lane.ReadAfresh), as it would have without this memory; that run's answer
stands. Knowing nothing costs a read, knowing wrong one statement more; neither changes an
answer. Requests to one cart that alternate between processes pay that statement
each time; a client that keeps its connection does not.

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

    def __contains__(self, cart_id: str) -> bool:
        return cart_id in self._carts

    def take(self, cart_id: str) -> tuple[dict[str, Any], list[CartLine]]:
        """The cart and its lines as last left here, forgotten until a change that commits (or a
        read) remembers them again: a unit that finds them stale reads them on its next run."""
        cart, lines = self._carts.pop(cart_id)
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
