"""Opening stock per SKU per location.

The DC holds nearly everything in depth; each store carries a share of the products (all of a
carried product's sizes get a row) in small quantities. Zero rows are kept on purpose: a store
that carries a product but has sold out of one size is the case the pickup and ship-from-store
rules must get right, and a few SKUs are out of stock everywhere so "sold out" can be shown.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from omniloom.seed.locations import Site
from omniloom.seed.model import Sku, StockLevel
from omniloom.seed.progress import Progress, ignore_progress, report_every

# The DC occasionally runs dry on a SKU while stores still hold it (ship-from-store cases).
DC_STOCKOUT_SHARE = 0.03
DC_QUANTITY = (20, 400)
# Of a store's rows: this share sold out, this share down to its last units.
STORE_ZERO_SHARE = 0.08
STORE_LOW_SHARE = 0.12
STORE_LOW = (1, 3)
STORE_QUANTITY = (4, 24)
# Share of SKUs out of stock at every location; at least a few even in a tiny catalog.
SOLD_OUT_SHARE = 0.005
SOLD_OUT_MINIMUM = 3


def generate_stock(
    rng: random.Random,
    skus: Sequence[Sku],
    sites: Sequence[Site],
    progress: Progress = ignore_progress,
) -> list[StockLevel]:
    """Rows ordered by SKU, then by location in network order."""
    sold_out_count = min(len(skus), max(SOLD_OUT_MINIMUM, round(len(skus) * SOLD_OUT_SHARE)))
    sold_out = {skus[i].sku for i in rng.sample(range(len(skus)), sold_out_count)}
    random = rng.random
    rows: list[StockLevel] = []
    every = report_every(len(skus))
    done = 0
    for _, group in itertools.groupby(skus, key=lambda sku: sku.product_id):
        variants = list(group)
        carriers = [site for site in sites if random() < site.assortment]
        for sku in variants:
            out = sku.sku in sold_out
            for site in carriers:
                quantity = 0 if out else _quantity(random(), site.location.kind == "dc")
                rows.append(StockLevel(sku=sku.sku, location_id=site.location.id, on_hand=quantity))
            done += 1
            if done % every == 0 or done == len(skus):
                progress("stock", done, len(skus))
    return rows


def _quantity(roll: float, at_dc: bool) -> int:
    """The quantity for one row from a single uniform roll.

    The roll first picks the band (sold out, low, normal) and its position inside the band then
    picks the quantity, so each row costs one random number: a large catalog has over a million
    rows.
    """
    if at_dc:
        if roll < DC_STOCKOUT_SHARE:
            return 0
        return _within(roll, DC_STOCKOUT_SHARE, 1.0, DC_QUANTITY)
    if roll < STORE_ZERO_SHARE:
        return 0
    low_end = STORE_ZERO_SHARE + STORE_LOW_SHARE
    if roll < low_end:
        return _within(roll, STORE_ZERO_SHARE, low_end, STORE_LOW)
    return _within(roll, low_end, 1.0, STORE_QUANTITY)


def _within(roll: float, band_start: float, band_end: float, bounds: tuple[int, int]) -> int:
    low, high = bounds
    share = (roll - band_start) / (band_end - band_start)
    return min(high, low + int(share * (high - low + 1)))
