"""Product detail pages kept as the JSON they were sent as, until a write touches their stock.

A product page is the catalog (fixed while the process runs) and the stock of the product's
SKUs. The process is told of every stock change (store.changes: on the embedded database its
own writes, on PostgreSQL every process's, by NOTIFY), exactly as the stock-level cache is; so a
page encoded once stays true until one of its SKUs' stock moves, and shoppers browsing the same
products cost a lookup instead of a rebuild and an encode. A page whose build a change report
overlapped is not kept.
"""

from __future__ import annotations

from collections import defaultdict

from omniloom.store import changes

PageKey = tuple[str, str]  # (product id, channel)

MAX_PAGES = 50_000


class ProductPages:
    def __init__(self) -> None:
        self.caching = False
        self._pages: dict[PageKey, bytes] = {}
        self._by_sku: defaultdict[str, set[PageKey]] = defaultdict(set)
        # Moves on with every report of a stock change; a page built across one is not kept.
        self.epoch = 0

    def forget_all(self) -> None:
        self.epoch += 1
        self._pages.clear()
        self._by_sku.clear()

    def forget(self, touched: changes.Touched) -> None:
        for kind, sku in touched:
            if kind == changes.STOCK:
                self.epoch += 1
                for key in self._by_sku.pop(sku, ()):
                    self._pages.pop(key, None)
            elif kind == changes.EVERYTHING:
                self.forget_all()

    def page(self, key: PageKey) -> bytes | None:
        return self._pages.get(key)

    def keep(self, key: PageKey, sku_codes: list[str], body: bytes, since: int) -> None:
        """Keep a page built from what was read after ``since`` (an earlier ``epoch``)."""
        if not self.caching or since != self.epoch:
            return
        if len(self._pages) >= MAX_PAGES:
            self._pages.clear()
            self._by_sku.clear()
        self._pages[key] = body
        for sku in sku_codes:
            self._by_sku[sku].add(key)
