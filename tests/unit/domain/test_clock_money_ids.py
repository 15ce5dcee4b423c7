import itertools
from datetime import UTC, datetime, timedelta

import pytest

from omniloom.domain import ids as ids_module
from omniloom.domain.clock import SimulatedClock
from omniloom.domain.errors import InvalidTransition
from omniloom.domain.ids import IdFactory
from omniloom.domain.money import tax_on
from omniloom.domain.orders import Fulfilment, OrderStatus, check_transition

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_simulated_clock_is_frozen_until_moved() -> None:
    clock = SimulatedClock(START)
    assert clock.now() == clock.now() == START
    assert clock.advance(timedelta(hours=2)) == START + timedelta(hours=2)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_simulated_clock_never_goes_back_and_needs_a_zone() -> None:
    clock = SimulatedClock(START)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        SimulatedClock(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("amount", "bps", "tax"),
    [(10_000, 888, 888), (2_500, 888, 222), (1, 5_000, 1), (0, 1_025, 0), (199, 1_025, 20)],
)
def test_tax_rounds_half_up_in_minor_units(amount: int, bps: int, tax: int) -> None:
    assert tax_on(amount, bps) == tax


def test_seeded_ids_repeat_for_the_same_seed_and_differ_across_seeds() -> None:
    first, again, other = IdFactory(7), IdFactory(7), IdFactory(8)
    a = [first.new("ord") for _ in range(5)]
    assert a == [again.new("ord") for _ in range(5)]
    assert a != [other.new("ord") for _ in range(5)]
    assert len(set(a)) == 5 and all(i.startswith("ord_") for i in a)


def test_random_ids_do_not_repeat() -> None:
    ids = IdFactory(None)
    assert len({ids.new("cart") for _ in range(1_000)}) == 1_000


def test_ids_sort_in_the_order_they_were_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # Primary keys that arrive in order are appended to their indexes, not scattered over them.
    seeded = IdFactory(42)
    made = [seeded.new("ord") for _ in range(5_000)]
    assert made == sorted(made) and len({len(i) for i in made}) == 1
    assert IdFactory(42, sequence=10**9).new("ord") > made[-1]
    # Unseeded ids lead with the wall clock's millisecond: one a millisecond later sorts after.
    wall_ns = itertools.count(1_800_000_000_000_000_000, 1_000_000)
    monkeypatch.setattr(ids_module.time, "time_ns", lambda: next(wall_ns))
    unseeded = IdFactory(None)
    later = [unseeded.new("ord") for _ in range(50)]
    assert later == sorted(later) and len(set(later)) == 50


@pytest.mark.parametrize(
    ("current", "target", "fulfilment"),
    [
        (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, Fulfilment.SHIP),
        (OrderStatus.PAID, OrderStatus.FULFILLED, Fulfilment.PICKUP),
        (OrderStatus.FULFILLED, OrderStatus.CANCELLED, Fulfilment.SHIP),
        (OrderStatus.CANCELLED, OrderStatus.PAID, Fulfilment.SHIP),
        (OrderStatus.PLACED, OrderStatus.PICKED_UP, Fulfilment.PICKUP),
    ],
)
def test_impossible_order_moves_are_refused(
    current: OrderStatus, target: OrderStatus, fulfilment: Fulfilment
) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(current, target, fulfilment)


def test_the_documented_order_paths_are_allowed() -> None:
    for path, fulfilment in (
        ([OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.FULFILLED], Fulfilment.SHIP),
        (
            [OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, OrderStatus.PICKED_UP],
            Fulfilment.PICKUP,
        ),
    ):
        for current, target in itertools.pairwise(path):
            check_transition(current, target, fulfilment)


class FakeWall:
    """Wall seconds that move only when a test moves them."""

    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_compressed_clock_runs_factor_simulated_seconds_per_wall_second() -> None:
    wall = FakeWall()
    clock = SimulatedClock(START, wall=wall)
    clock.run_at(600)  # 1 wall second = 10 simulated minutes
    wall.seconds += 1.5
    assert clock.now() == START + timedelta(minutes=15)
    clock.freeze()
    wall.seconds += 100
    assert clock.now() == START + timedelta(minutes=15)
    with pytest.raises(ValueError):
        clock.run_at(-1)


def test_the_clocks_state_alone_gives_the_time_so_processes_can_share_it() -> None:
    wall = FakeWall()
    first = SimulatedClock(START, wall=wall)
    first.run_at(60)
    wall.seconds += 10
    second = SimulatedClock(datetime(2030, 1, 1, tzinfo=UTC), wall=wall)
    second.state = first.state  # what another process reads back from the database
    assert second.now() == first.now() == START + timedelta(minutes=10)
