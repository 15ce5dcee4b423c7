"""Pools of person names drawn once from a seeded Faker instance.

Faker is slow per call and its output depends on its own state, so it is asked a fixed number of
times up front; customers and book authors are then drawn from these pools with a seeded Random.
A different seed gives different pools; the same seed (and Faker release) gives the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker import Faker

POOL_DRAWS = 1500


@dataclass(frozen=True, slots=True)
class NamePools:
    first: tuple[str, ...]
    last: tuple[str, ...]


def name_pools(seed: int) -> NamePools:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    # dict.fromkeys drops repeats but keeps first-seen order, so the pools stay deterministic.
    first = tuple(dict.fromkeys(fake.first_name() for _ in range(POOL_DRAWS)))
    last = tuple(dict.fromkeys(fake.last_name() for _ in range(POOL_DRAWS)))
    return NamePools(first=first, last=last)
