"""Stored first responses for Idempotency-Key replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from omniloom.store.tables import idempotency_keys

_LOOKUP = select(
    idempotency_keys.c.fingerprint, idempotency_keys.c.status_code, idempotency_keys.c.body
).where(idempotency_keys.c.scope == bindparam("scope"), idempotency_keys.c.key == bindparam("key"))


def lookup(conn: Connection, scope: str, key: str) -> tuple[str, int, str] | None:
    row = conn.execute(_LOOKUP, {"scope": scope, "key": key}).first()
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
    conn.execute(
        idempotency_keys.insert().values(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )
