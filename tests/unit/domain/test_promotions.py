import pytest

from omniloom.domain.promotions import Promotion, PromotionKind, best_discount

BOGO = Promotion(
    "p2", "bogo", PromotionKind.BUY_X_GET_Y, frozenset({"web"}), "cat_books", buy=1, get=1
)
THREE_FOR_TWO = Promotion("p3", "3 for 2", PromotionKind.BUY_X_GET_Y, None, None, buy=2, get=1)
TWENTY = Promotion("p1", "20%", PromotionKind.PERCENT_OFF, frozenset({"pos"}), "cat_books", 20)
TEN = Promotion("p4", "10%", PromotionKind.PERCENT_OFF, None, None, percent_off=10)


@pytest.mark.parametrize(("quantity", "free"), [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2)])
def test_buy_one_get_one_gives_every_second_unit(quantity: int, free: int) -> None:
    assert BOGO.discount(999, quantity) == free * 999


def test_three_for_two() -> None:
    assert [THREE_FOR_TWO.discount(100, q) for q in range(1, 8)] == [0, 0, 100, 100, 100, 200, 200]


def test_percent_off_rounds_half_up_in_minor_units() -> None:
    assert TEN.discount(1_005, 1) == 101  # 100.5 → 101
    assert TEN.discount(1_004, 1) == 100
    assert TWENTY.discount(8_900, 2) == 3_560


def test_scope_by_channel_and_category() -> None:
    assert BOGO.applies("web", {"cat_fiction", "cat_books"})
    assert not BOGO.applies("pos", {"cat_books"})
    assert not BOGO.applies("web", {"cat_kitchen"})
    assert TEN.applies("messaging", set())


def test_the_best_promotion_wins_and_ties_go_to_the_lower_id() -> None:
    everything = [BOGO, TWENTY, THREE_FOR_TWO, TEN]
    assert best_discount(everything, "web", ["cat_books"], 1_000, 2) == (1_000, BOGO)
    assert best_discount(everything, "web", ["cat_books"], 1_000, 1) == (100, TEN)
    assert best_discount(everything, "pos", ["cat_books"], 1_000, 2) == (400, TWENTY)
    assert best_discount(everything, "pos", ["cat_books"], 1_000, 3) == (1_000, THREE_FOR_TWO)
    assert best_discount([], "web", [], 1_000, 3) == (0, None)
    twin = Promotion("p0", "10% too", PromotionKind.PERCENT_OFF, percent_off=10)
    assert best_discount([TEN, twin], "web", [], 1_000, 1) == (100, twin)
