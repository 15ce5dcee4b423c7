"""The store's access key: what cart and order tokens (domain.ownership) are made under.

- ``OMNILOOM_SECRET_KEY`` set: the key is derived from it. Any store strangers can reach should
  set one; every server process of the store must be given the same.
- Seeded run without it: derived from the seed, so a replay against a freshly seeded store hands
  out the same tokens (and anyone who knows the seed can make them: fine for a demo).
- Otherwise: 32 random bytes, made once and kept in the store's settings, so every process
  sharing the database agrees on it.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection

from omniloom.store import settings_queries
from omniloom.store.database import Database

ACCESS_KEY_SETTING = "access_key"


def from_secret(secret: str) -> bytes:
    return hashlib.sha256(b"omniloom-secret:" + secret.encode()).digest()


def from_seed(seed: int) -> bytes:
    return hashlib.sha256(f"omniloom-seed:{seed}".encode()).digest()


def _stored_or_new(conn: Connection) -> str:
    stored = settings_queries.get(conn, ACCESS_KEY_SETTING)
    if stored is None:
        stored = secrets.token_hex(32)
        settings_queries.put(conn, ACCESS_KEY_SETTING, stored)
    return str(stored)


async def stored_key(db: Database) -> bytes:
    """The key kept in the store; the first process to start makes it."""
    try:
        hex_key = await db.write(_stored_or_new)
    except Exception:
        # Another process inserted its key between our read and write: theirs stands.
        hex_key = await db.read(lambda conn: str(settings_queries.get(conn, ACCESS_KEY_SETTING)))
    return bytes.fromhex(hex_key)
