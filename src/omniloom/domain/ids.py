"""Readable, prefixed ids (``cart_…``, ``ord_…``).

In seeded mode each id is derived from the seed and a running sequence, so replaying the same
requests against a freshly seeded store yields the same ids; otherwise they are random.
"""

from __future__ import annotations

import base64
import hashlib
import secrets


def _token(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()


class IdFactory:
    def __init__(self, seed: int | None, sequence: int = 0) -> None:
        self.seed = seed
        self.sequence = sequence

    def new(self, prefix: str) -> str:
        if self.seed is None:
            return f"{prefix}_{_token(secrets.token_bytes(10))}"
        self.sequence += 1
        digest = hashlib.blake2b(f"{self.seed}:{self.sequence}".encode(), digest_size=10).digest()
        return f"{prefix}_{_token(digest)}"
