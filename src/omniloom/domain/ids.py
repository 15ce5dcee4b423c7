"""Readable, prefixed ids (``cart_…``, ``ord_…``).

In seeded mode each id is derived from the seed and a running sequence, so replaying the same
requests against a freshly seeded store yields the same ids; otherwise they are random. The
sequence is scrambled by an invertible affine map modulo 2**60 (odd multiplier, seed-derived
offset), so seeded ids are unique, look random, and cost a multiplication rather than a hash.
"""

from __future__ import annotations

import hashlib
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
_BITS = 60
_MASK = (1 << _BITS) - 1
_MULTIPLIER = 0x9E3779B97F4A7C15 & _MASK | 1  # golden-ratio constant, forced odd


# Every pair of base32 digits (10 bits), so an id is six lookups rather than twelve.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def _encode(value: int) -> str:
    pairs = _PAIRS
    return (
        pairs[value >> 50 & 1023]
        + pairs[value >> 40 & 1023]
        + pairs[value >> 30 & 1023]
        + pairs[value >> 20 & 1023]
        + pairs[value >> 10 & 1023]
        + pairs[value & 1023]
    )


class IdFactory:
    def __init__(self, seed: int | None, sequence: int = 0) -> None:
        self.seed = seed
        self.sequence = sequence
        digest = hashlib.blake2b(str(seed).encode(), digest_size=8).digest()
        self._offset = int.from_bytes(digest, "big") & _MASK

    def new(self, prefix: str) -> str:
        if self.seed is None:
            return f"{prefix}_{_encode(secrets.randbits(_BITS))}"
        self.sequence += 1
        return f"{prefix}_{_encode((self.sequence * _MULTIPLIER + self._offset) & _MASK)}"
