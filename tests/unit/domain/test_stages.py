"""The journey-stage rule: the furthest funnel step a customer's events reach."""

from __future__ import annotations

from omniloom.domain.stages import Stage, count_by_stage, stage_of


def test_a_known_customer_who_did_nothing_yet_is_aware() -> None:
    assert stage_of([]) is Stage.AWARENESS
    assert stage_of([("customer.registered", None), ("message.queued", None)]) is Stage.AWARENESS


def test_looking_or_wanting_is_consideration() -> None:
    for kind in (
        "catalog.product_viewed",
        "catalog.searched",
        "cart.item_added",
        "wishlist.item_added",
        "link.clicked",
    ):
        assert stage_of([("customer.signed_in", None), (kind, None)]) is Stage.CONSIDERATION, kind


def test_orders_count_by_id_so_one_order_seen_twice_is_one_purchase() -> None:
    one = [("order.placed", "ord_1"), ("order.placed", "ord_1"), ("cart.item_added", None)]
    assert stage_of(one) is Stage.PURCHASE
    assert stage_of([*one, ("order.placed", "ord_2")]) is Stage.REPEAT


def test_a_review_makes_an_advocate_whatever_came_before_or_after() -> None:
    events = [("order.placed", "ord_1"), ("review.posted", None), ("catalog.searched", None)]
    assert stage_of(events) is Stage.ADVOCACY
    assert stage_of([("review.updated", None)]) is Stage.ADVOCACY


def test_every_stage_is_counted_zeros_included() -> None:
    counts = count_by_stage([Stage.PURCHASE, Stage.PURCHASE, Stage.ADVOCACY])
    assert counts == {
        "awareness": 0,
        "consideration": 0,
        "purchase": 2,
        "repeat": 0,
        "advocacy": 1,
    }
