"""The demo store data set, generated deterministically from a seed.

Each part draws from its own Random, seeded from the seed and the part's name, so asking for more
customers leaves the catalog untouched and vice versa. (String seeds go through SHA-512, so they
do not depend on PYTHONHASHSEED.)
"""

from __future__ import annotations

import random

from omniloom.seed.catalog import generate_catalog
from omniloom.seed.customers import generate_customers
from omniloom.seed.locations import SITES, build_channel_locations, build_locations
from omniloom.seed.model import SeedData, SeedParams
from omniloom.seed.names import name_pools
from omniloom.seed.progress import Progress, ignore_progress
from omniloom.seed.stock import generate_stock


def generate(
    seed: int = 42,
    products: int = 300,
    customers: int = 500,
    *,
    progress: Progress = ignore_progress,
) -> SeedData:
    """Build the data set; equal arguments give an equal data set, whatever else ran before."""
    if products < 1 or customers < 0:
        raise ValueError("need at least one product and a non-negative number of customers")
    names = name_pools(seed)
    catalog = generate_catalog(_rng(seed, "catalog"), names, products, progress)
    stock = generate_stock(_rng(seed, "stock"), catalog.skus, SITES, progress)
    return SeedData(
        params=SeedParams(seed=seed, products=products, customers=customers),
        categories=catalog.categories,
        products=catalog.products,
        skus=catalog.skus,
        prices=catalog.prices,
        locations=build_locations(),
        channel_locations=build_channel_locations(),
        stock=stock,
        customers=generate_customers(_rng(seed, "customers"), names, customers, progress),
    )


def _rng(seed: int, part: str) -> random.Random:
    return random.Random(f"omniloom:{part}:{seed}")
