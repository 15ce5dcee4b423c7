"""The cast of a scenario: Faker personas, fixed identities, or one shopper per CSV row.

Every shopper is generated from a seed of their own (the scenario's seed, their name and the
run number), so adding a shopper to a file, or reordering them, leaves the others unchanged, and
a replay on another machine meets the same people.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from omniloom.scenarios.model import Persona, Scenario, ShopperSpec


@dataclass(frozen=True, slots=True)
class Shopper:
    name: str
    profile: dict[str, Any]
    # The shopper's own Faker, seeded like the profile, for ${faker.…} in their steps.
    faker: Any
    channels: tuple[str, ...]


Cast = dict[str, Shopper]


def shopper_seed(scenario_seed: int, name: str, run: int = 0) -> int:
    digest = hashlib.sha256(f"{scenario_seed}:{name}:{run}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def make_shopper(spec: ShopperSpec, scenario_seed: int, run: int = 0) -> Shopper:
    from faker import Faker  # imported here: other omniloom commands need not pay for it

    persona = spec.persona or Persona()
    seed = shopper_seed(scenario_seed, spec.name, run)
    faker = Faker(persona.locale)
    faker.seed_instance(seed)
    first, last = faker.first_name(), faker.last_name()
    tag = f"{seed % 1_000_000:06d}"
    local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".lower()) or "shopper"
    profile: dict[str, Any] = {
        "name": spec.name,
        "first_name": first,
        "last_name": last,
        # The tag keeps generated addresses apart from the demo store's 500 customers.
        "email": f"{local}.{tag}@example.org",
        "phone": f"+1212555{seed % 10_000:04d}",
        "password": f"pw-{tag}-{faker.word()}-secret",
        "handle": f"@{local.replace('.', '_')}_{tag}",
        "locale": persona.locale,
        "devices": list(persona.devices),
        "address": {
            "name": f"{first} {last}",
            "line1": faker.street_address(),
            "city": faker.city(),
            "postal_code": faker.postcode()[:12],
            "country": faker.current_country_code(),
        },
    }
    profile.update(spec.identity)
    return Shopper(spec.name, profile, faker, tuple(persona.channels))


def casts(scenario: Scenario, runs: int = 1) -> list[Cast]:
    """One cast per run: ``runs`` generated casts, or one per row of the shoppers' CSV."""
    header = scenario.header
    per_row = [s for s in scenario.shoppers if s.name in {x.name for x in header.shoppers if x.csv}]
    fixed = [s for s in scenario.shoppers if s not in per_row]
    if per_row:
        return [
            {s.name: make_shopper(s, header.seed, run) for s in [*fixed, row]}
            for run, row in enumerate(per_row)
        ]
    return [{s.name: make_shopper(s, header.seed, run) for s in fixed} for run in range(runs)]
