"""The mix draws journeys by weight; shoppers are unique per user and repeat under a seed."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from omniloom.loadkit import kit
from omniloom.loadkit.files import KitFileError
from omniloom.loadkit.mix import load_mix
from omniloom.loadkit.shapes import load_shape
from omniloom.loadkit.shoppers import LOAD_DOMAIN, ShopperFactory, Slot

MIX = Path(__file__).parents[3] / "loadtests" / "mix.yaml"


def test_the_kits_mix_draws_journeys_in_proportion_to_their_weights() -> None:
    mix = load_mix(MIX)
    rng = random.Random(1)
    drawn = Counter(mix.pick(rng).name for _ in range(10_000))
    total = sum(spec.weight for spec in mix.journeys)
    for spec in mix.journeys:
        assert drawn[spec.name] / 10_000 == pytest.approx(spec.weight / total, abs=0.03)
    assert drawn["flash_web"] == drawn["hello"] == 0  # weight 0: only when a stage names them
    assert mix.key_for("pos") == "olk_pos_nyc_demo"


def test_a_stage_can_turn_the_mix_towards_some_journeys() -> None:
    mix = load_mix(MIX)
    rng = random.Random(1)
    rush = {"web_checkout": 3.0, "store_sales": 1.0}
    assert {mix.pick(rng, rush).name for _ in range(200)} == {"web_checkout", "store_sales"}


def test_a_mix_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "mix.yaml"
    bad.write_text("journeys:\n  - {name: a, channel: web, weight: 1, journey: x, wieght: 2}\n")
    with pytest.raises(KitFileError, match="wieght"):
        load_mix(bad)


def test_no_two_users_on_any_worker_share_a_shopper() -> None:
    emails = set()
    for worker in range(3):
        for user in range(20):
            shoppers = ShopperFactory(42, Slot("run1", worker, user))
            for _ in range(5):
                emails.add(shoppers.next().email)
    assert len(emails) == 3 * 20 * 5
    assert all(email.endswith("@" + LOAD_DOMAIN) for email in emails)


def test_the_same_seed_and_slot_give_the_same_shoppers() -> None:
    first = [ShopperFactory(7, Slot("r", 1, 2)).next() for _ in range(2)]
    assert first[0] == first[1]
    other = ShopperFactory(8, Slot("r", 1, 2)).next()
    assert other.first_name + other.last_name != first[0].first_name + first[0].last_name or (
        other.address != first[0].address
    )


def test_the_kits_mix_and_every_shape_fit_together() -> None:
    mix = load_mix(MIX)
    for path in sorted((MIX.parent / "shapes").glob("*.yaml")):
        kit.check(mix, load_shape(path))  # scenario files load, stage weights name journeys


def test_a_stage_weighting_an_unknown_journey_is_refused(tmp_path: Path) -> None:
    shape = tmp_path / "s.yaml"
    shape.write_text("name: s\nstages: [{duration: 5, users: 1, weights: {web_chekout: 1}}]\n")
    with pytest.raises(KitFileError, match="web_chekout"):
        kit.check(load_mix(MIX), load_shape(shape))
