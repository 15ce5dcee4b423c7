"""Where ids' ordinal and random bits come from (the format is omniloom.domain.ids).

- Seeded (the embedded store): a running sequence, and a keyed hash (BLAKE2b) of it under a key
  derived from the seed — or from ``OMNILOOM_SECRET_KEY`` when set — as the random part. A
  replay against a freshly seeded store repeats every id; without the key, the ids of one run
  tell nothing about the next id.
- Unseeded (processes sharing PostgreSQL): the wall clock's millisecond and 40 bits from the
  operating system's randomness, so processes need no coordination; a clash is about one in
  10**12 per pair made within the same millisecond. The randomness is read a page at a time
  (one system call per 800 ids instead of one per id, which cost a checkout about 5 % of its
  CPU on PostgreSQL), and a forked process never reuses its parent's page.
"""

from __future__ import annotations

import hashlib
import os
import time

from omniloom.domain.ids import EPOCH_MS, RANDOM_BITS, make_id

_RANDOM_BYTES = RANDOM_BITS // 8
_PAGE_BYTES = 4000  # 800 ids' worth


class _Randomness:
    """The operating system's random bytes, read a page at a time."""

    def __init__(self) -> None:
        self._page = b""
        self._at = 0
        # A forked worker must not hand out the ids its parent would: it starts a page of its own.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._page, self._at = b"", 0

    def draw(self) -> int:
        at = self._at
        if at + _RANDOM_BYTES > len(self._page):
            self._page, at = os.urandom(_PAGE_BYTES), 0
        self._at = at + _RANDOM_BYTES
        return int.from_bytes(self._page[at : at + _RANDOM_BYTES], "big")


_RANDOMNESS = _Randomness()


def seed_key(seed: int) -> bytes:
    return hashlib.sha256(f"omniloom-ids:{seed}".encode()).digest()


class IdFactory:
    """Makes ids: seeded (replayable) when given a seed, else from the clock and randomness."""

    def __init__(self, seed: int | None, sequence: int = 0, key: bytes | None = None) -> None:
        self.seed = seed
        self.sequence = sequence
        self._key = key if key is not None else seed_key(seed if seed is not None else 0)

    def new(self, prefix: str) -> str:
        if self.seed is None:
            now = time.time_ns() // 1_000_000 - EPOCH_MS
            return make_id(prefix, now, _RANDOMNESS.draw())
        self.sequence += 1
        digest = hashlib.blake2b(
            self.sequence.to_bytes(8, "big"), key=self._key, digest_size=_RANDOM_BYTES
        ).digest()
        return make_id(prefix, self.sequence, int.from_bytes(digest, "big"))
