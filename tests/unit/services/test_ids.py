"""Ids: replayable under a seed, unguessable from one another, and in the order they were made."""

from __future__ import annotations

import itertools
import os

import pytest

from omniloom.domain.ids import make_id, ordinal_of
from omniloom.services.kernel import ids as ids_module
from omniloom.services.kernel.ids import IdFactory


def test_seeded_ids_repeat_for_the_same_seed_and_differ_across_seeds() -> None:
    first, again, other = IdFactory(7), IdFactory(7), IdFactory(8)
    a = [first.new("ord") for _ in range(5)]
    assert a == [again.new("ord") for _ in range(5)]
    assert a != [other.new("ord") for _ in range(5)]
    assert len(set(a)) == 5 and all(i.startswith("ord_") for i in a)


def test_a_seeded_id_does_not_tell_the_next_one() -> None:
    made = [IdFactory(42).new("ord")]
    factory = IdFactory(42, sequence=1)
    made += [factory.new("ord") for _ in range(1_000)]
    # Neighbours share no random part: the id after ord_…01xyz is not ord_…02xyz.
    tails = [i[-8:] for i in made]
    assert len(set(tails)) == len(tails)
    # Counting on from a known id (the next ordinal, the same random part) finds nothing.
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    random_part = int("".join(f"{alphabet.index(c):05b}" for c in made[0][-8:]), 2)
    guessed = {make_id("ord", n, random_part) for n in range(2, 1_002)}
    assert guessed.isdisjoint(made)
    # A secret key gives other ids for the same seed, which nobody knowing the seed can make.
    keyed = IdFactory(42, key=b"k" * 32)
    assert [keyed.new("ord") for _ in range(3)] != made[:3]


def test_random_ids_do_not_repeat() -> None:
    ids = IdFactory(None)
    # More than one page of the operating system's randomness (800 ids a page).
    assert len({ids.new("cart") for _ in range(2_000)}) == 2_000


def test_a_forked_worker_does_not_repeat_its_parents_ids() -> None:
    # Server workers are forked from one process; randomness read before the fork must not be
    # handed out twice, or two workers would make the same ids in the same millisecond.
    ids = IdFactory(None)
    ids.new("cart")  # the parent has read a page of randomness
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked process
        os.write(writer, " ".join(ids.new("cart")[-8:] for _ in range(20)).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    with os.fdopen(reader) as pipe:
        childs = set(pipe.read().split())
    parents = {ids.new("cart")[-8:] for _ in range(20)}
    assert len(childs) == 20 and childs.isdisjoint(parents)


def test_ids_sort_in_the_order_they_were_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # Primary keys that arrive in order are appended to their indexes, not scattered over them.
    seeded = IdFactory(42)
    made = [seeded.new("ord") for _ in range(5_000)]
    assert made == sorted(made) and len({len(i) for i in made}) == 1
    assert [ordinal_of(i) for i in made] == sorted(ordinal_of(i) for i in made)
    assert IdFactory(42, sequence=10**9).new("ord") > made[-1]
    # Unseeded ids lead with the wall clock's millisecond: one a millisecond later sorts after.
    wall_ns = itertools.count(1_800_000_000_000_000_000, 1_000_000)
    monkeypatch.setattr(ids_module.time, "time_ns", lambda: next(wall_ns))
    unseeded = IdFactory(None)
    later = [unseeded.new("ord") for _ in range(50)]
    assert later == sorted(later) and len(set(later)) == 50
