"""Stored first responses for Idempotency-Key replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, String, bindparam, func, literal, select

from omniloom.store import raw
from omniloom.store.tables import idempotency_keys

_REMEMBER = idempotency_keys.insert()

_LOOKUP = select(
    idempotency_keys.c.fingerprint, idempotency_keys.c.status_code, idempotency_keys.c.body
).where(idempotency_keys.c.scope == bindparam("scope"), idempotency_keys.c.key == bindparam("key"))


# On PostgreSQL a request waits here while another with the same key is still in flight; the lock
# is the transaction's, so it is let go when the first commits (its response then remembered) or
# rolls back (nothing remembered: this one does the work). Lock and lookup are two statements
# because a statement in READ COMMITTED sees only what was committed when it began.
_WAIT_FOR_SAME_KEY = select(
    func.pg_advisory_xact_lock(
        func.hashtextextended(
            func.concat(
                bindparam("scope", type_=String), literal("\n"), bindparam("key", type_=String)
            ),
            0,
        )
    )
)


def lookup(conn: Connection, scope: str, key: str) -> tuple[str, int, str] | None:
    """The first response to this key, waiting for it if that request is still running.

    SQLite needs no wait: its units of work run one after another.
    """
    if conn.dialect.name == "postgresql":
        raw.rows(conn, _WAIT_FOR_SAME_KEY, {"scope": scope, "key": key})
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
