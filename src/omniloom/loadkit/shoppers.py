"""Faker shoppers, seeded and partitioned: no two users of a run, on any worker, share one.

A shopper's identity (email, phone) is built from the run, the worker, the user and a counter,
so it is unique by construction; Faker, seeded with the same numbers, only gives it a face
(name, address). The same run seed yields the same shoppers again.
"""

from __future__ import annotations

import hashlib

import msgspec
from faker import Faker

# Orders and customers of a load are recognisable by this domain (the verdict counts them).
LOAD_DOMAIN = "load.omniloom.test"
PASSWORD = "load-test shopper pw"


class Slot(msgspec.Struct, frozen=True):
    """Where a locust user runs: the run, the load generator process and the user within it."""

    run: str
    worker: int
    user: int


class Shopper(msgspec.Struct, frozen=True):
    first_name: str
    last_name: str
    email: str
    phone: str
    # A social handle, as unique as the email.
    handle: str
    password: str
    address: dict[str, str]


class ShopperFactory:
    """The shoppers one locust user plays, one after another; unique across the run."""

    def __init__(self, seed: int, slot: Slot) -> None:
        self.seed = seed
        self.slot = slot
        self.count = 0
        self._faker = Faker("en_US")

    def next(self) -> Shopper:
        number = self.count
        self.count += 1
        slot = self.slot
        self._faker.seed_instance(f"{self.seed}/{slot.worker}/{slot.user}/{number}")
        fake = self._faker
        first, last = fake.first_name(), fake.last_name()
        tag = f"{slot.run}.w{slot.worker}u{slot.user}n{number}"
        return Shopper(
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}.{tag}@{LOAD_DOMAIN}".replace(" ", ""),
            # +1 555 numbers are fictional; ten digits drawn from the tag keep runs apart (the
            # tag does not fit a phone number whole: one clash in about 10^10 / shoppers²).
            phone=f"+1555{int(hashlib.sha256(tag.encode()).hexdigest(), 16) % 10**10:010d}",
            handle=f"@load_{slot.run}_w{slot.worker}u{slot.user}n{number}"[:30],
            password=PASSWORD,
            address={
                "name": f"{first} {last}",
                "line1": fake.street_address(),
                "city": fake.city(),
                "postal_code": fake.postcode(),
                "country": "US",
            },
        )
