import random

from omniloom.domain.returns import split_refund, unit_refund


def test_a_unit_is_worth_its_share_of_the_line_after_promotion_and_tax() -> None:
    # Two mugs at 12.00, one free: 12.00 paid plus 1.07 tax; one comes back worth half.
    assert unit_refund(1_200, 107, 2, 1) == 653
    assert unit_refund(1_200, 107, 2, 2) == 1_307


def test_a_refund_splits_over_tenders_as_they_paid_and_adds_up() -> None:
    assert split_refund(1_000, [5_000, 5_000]) == [500, 500]
    assert split_refund(100, [1, 1, 1]) == [34, 33, 33]
    assert split_refund(0, [300, 700]) == [0, 0]
    rng = random.Random(4)
    for _ in range(500):
        paid = [rng.randint(1, 10_000) for _ in range(rng.randint(1, 4))]
        amount = rng.randint(0, sum(paid))
        shares = split_refund(amount, paid)
        assert sum(shares) == amount
        assert all(0 <= share <= part for share, part in zip(shares, paid, strict=True))
