"""Available stock per SKU and location, as product pages show it.

On the embedded database this process is the only writer, so the levels it has read stay true
until one of its own writes touches them; the database reports those writes (store.changes) and
the levels are forgotten then. On PostgreSQL other processes write too, so every read goes to
the database.
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

    def forget_all(self) -> None:
        self._cached.clear()

    def forget(self, touched: changes.Touched) -> None:
        for kind, key in touched:
            if kind == changes.STOCK:
                self._cached.pop(key, None)

    def levels(self, conn: Connection, sku_codes: list[str]) -> dict[str, Levels]:
        if not self.caching:
            return self._read(conn, sku_codes)
        missing = [sku for sku in sku_codes if sku not in self._cached]
        if missing:
            if len(self._cached) > MAX_CACHED_SKUS:
                self._cached.clear()
            self._cached.update(self._read(conn, missing))
        return {sku: self._cached[sku] for sku in sku_codes}

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
