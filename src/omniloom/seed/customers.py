"""Customer accounts: names from the Faker pools, everything else from a seeded Random.

Emails use the reserved example.* domains and phones the 555 exchange, so a simulator that
"sends" receipts or texts can never reach a real person.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

from omniloom.seed.model import Customer
from omniloom.seed.names import NamePools
from omniloom.seed.progress import Progress, ignore_progress, report_every

# Accounts were opened during the year before the simulated clock starts (2026-11-02).
SIGNUPS_END = datetime(2026, 11, 2, tzinfo=UTC)
SIGNUP_WINDOW_SECONDS = 365 * 24 * 3600
EMAIL_DOMAINS = ("example.com", "example.com", "example.net", "example.org")
# Area codes of the cities the stores are in, so shoppers look local to some store.
AREA_CODES = (
    "212", "646", "718", "917", "312", "773", "872", "303", "720", "602", "480", "623",
    "213", "310", "323", "818", "206", "425", "253", "614", "380",
)  # fmt: skip
PHONE_SHARE = 0.9
PHONE_ATTEMPTS = 20

_NOT_EMAIL = re.compile(r"[^a-z0-9]")


def generate_customers(
    rng: random.Random, names: NamePools, count: int, progress: Progress = ignore_progress
) -> list[Customer]:
    """Customers numbered in sign-up order: cus_000001 is the oldest account."""
    ages = sorted((rng.randrange(1, SIGNUP_WINDOW_SECONDS) for _ in range(count)), reverse=True)
    emails: set[str] = set()
    phones: set[str] = set()
    customers: list[Customer] = []
    every = report_every(count)
    for number, age in enumerate(ages, start=1):
        first, last = rng.choice(names.first), rng.choice(names.last)
        customers.append(
            Customer(
                id=f"cus_{number:06d}",
                email=_unique_email(rng, first, last, emails),
                phone=_unique_phone(rng, phones) if rng.random() < PHONE_SHARE else None,
                first_name=first,
                last_name=last,
                created_at=SIGNUPS_END - timedelta(seconds=age),
            )
        )
        if number % every == 0 or number == count:
            progress("customers", number, count)
    return customers


def _unique_email(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    given = _NOT_EMAIL.sub("", first.lower()) or "shopper"
    family = _NOT_EMAIL.sub("", last.lower()) or "customer"
    local = rng.choice((f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}"))
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    # Namesakes get a number, as real sign-ups do; digits are added until the address is free.
    while email in taken:
        local += str(rng.randint(0, 9))
        email = f"{local}@{domain}"
    taken.add(email)
    return email


def _unique_phone(rng: random.Random, taken: set[str]) -> str:
    # The pool holds 210,000 numbers; once it is crowded a repeat is accepted (a household line)
    # rather than searching ever longer for a free one.
    for _ in range(PHONE_ATTEMPTS):
        phone = f"+1{rng.choice(AREA_CODES)}555{rng.randrange(10_000):04d}"
        if phone not in taken:
            break
    taken.add(phone)
    return phone
