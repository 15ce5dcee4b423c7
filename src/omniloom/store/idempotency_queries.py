"""Stored first responses for Idempotency-Key replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from omniloom.store import raw
from omniloom.store.tables import idempotency_keys

_REMEMBER = idempotency_keys.insert()

_LOOKUP = select(
    idempotency_keys.c.fingerprint, idempotency_keys.c.status_code, idempotency_keys.c.body
).where(idempotency_keys.c.scope == bindparam("scope"), idempotency_keys.c.key == bindparam("key"))


def lookup(conn: Connection, scope: str, key: str) -> tuple[str, int, str] | None:
    row = raw.first(conn, _LOOKUP, {"scope": scope, "key": key})
    return None if row is None else (row[0], row[1], row[2])


def remember(
    conn: Connection,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    status_code: int,
    body: str,
    now: datetime,
) -> None:
    raw.insert_many(
        conn,
        _REMEMBER,
        [
            {
                "scope": scope,
                "key": key,
                "fingerprint": fingerprint,
                "status_code": status_code,
                "body": body,
                "created_at": now,
            }
        ],
    )
