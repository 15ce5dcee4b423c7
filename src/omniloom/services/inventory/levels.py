"""Available stock per SKU and location, as product pages show it.

The levels read stay true until a write touches them; the database reports every such write
(store.changes: on the embedded database its own, on PostgreSQL those of every process, by
NOTIFY) and the levels are forgotten then. A read that a report overlapped is not kept: it may
have been read before that change committed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection

from omniloom.store import catalog_queries, changes

Levels = list[tuple[str, int]]  # (location id, available), in location order

MAX_CACHED_SKUS = 200_000


class StockLevels:
    def __init__(self) -> None:
        self._cached: dict[str, Levels] = {}
        self.caching = False
        # Moves on with every report of a stock change.
        self.epoch = 0

    def forget_all(self) -> None:
        self._cached.clear()
        self.epoch += 1

    def forget(self, touched: changes.Touched) -> None:
        for kind, key in touched:
            if kind == changes.STOCK:
                self._cached.pop(key, None)
                self.epoch += 1
            elif kind == changes.EVERYTHING:
                self.forget_all()

    def levels(self, conn: Connection, sku_codes: list[str]) -> dict[str, Levels]:
        if not self.caching:
            return self._read(conn, sku_codes)
        cached = self._cached
        have = {sku: cached[sku] for sku in sku_codes if sku in cached}
        if len(have) == len(sku_codes):
            return have
        epoch = self.epoch
        read = self._read(conn, [sku for sku in sku_codes if sku not in have])
        if self.epoch == epoch:
            if len(cached) > MAX_CACHED_SKUS:
                cached.clear()
            cached.update(read)
        return {sku: have[sku] if sku in have else read[sku] for sku in sku_codes}

    def known(self, sku_codes: list[str]) -> dict[str, Levels]:
        """The levels already held for these SKUs, without asking the database (none when
        this process does not cache)."""
        return {sku: self._cached[sku] for sku in sku_codes if sku in self._cached}

    @staticmethod
    def _read(conn: Connection, sku_codes: list[str]) -> dict[str, Levels]:
        found: dict[str, Levels] = defaultdict(list)
        for sku, location_id, available in catalog_queries.available_for_skus(conn, sku_codes):
            found[sku].append((location_id, available))
        return {sku: found[sku] for sku in sku_codes}
