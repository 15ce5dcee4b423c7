"""Stored first responses for Idempotency-Key replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from omniloom.store import raw
from omniloom.store.tables import idempotency_keys

_AT = (
    idempotency_keys.c.scope == bindparam("b_scope"),
    idempotency_keys.c.key == bindparam("b_key"),
)
_REMEMBER = idempotency_keys.insert()
_LOOKUP = select(
    idempotency_keys.c.fingerprint, idempotency_keys.c.status_code, idempotency_keys.c.body
).where(*_AT)

# On PostgreSQL a request first claims its key with a row that says nothing yet. A second
# request with the same key, while the first is still in flight, waits on that row's unique
# index: when the first commits (its response then filled in) the claim finds the row taken and
# the lookup after it reads the response; when the first rolls back (nothing remembered) the
# claim succeeds and this request does the work. Claim and lookup are two statements because a
# statement in READ COMMITTED sees only what was committed when it began; the usual case, a new
# key, needs only the claim.
#
# While the lane holds writes back (raw.may_read_unlocked) the key is assumed new: no claim and
# no lookup, and the response is remembered by a plain INSERT in the unit's last statement. A
# request whose key was used before (a retry, or one racing the first) then fails on the key's
# unique index (or refuses, on a cart the first closed), nothing of it is written, and it runs
# again eagerly: claiming, waiting, and replaying the first response, or refusing a different
# body. A new key, nearly every request, so costs no round trip of its own; a replay costs the
# wasted first run.
_CLAIM = (
    pg_insert(idempotency_keys)
    .values(
        scope=bindparam("b_scope"),
        key=bindparam("b_key"),
        fingerprint=literal(""),
        status_code=literal(0),
        body=literal(""),
        created_at=func.now(),
    )
    .on_conflict_do_nothing()
    .returning(idempotency_keys.c.scope)
)
_FILL_CLAIM = (
    update(idempotency_keys)
    .where(*_AT)
    .values(
        fingerprint=bindparam("b_fingerprint"),
        status_code=bindparam("b_status"),
        body=bindparam("b_body"),
        created_at=bindparam("b_now"),
    )
)


def lookup(conn: Connection, scope: str, key: str) -> tuple[str, int, str] | None:
    """The first response to this key, waiting for it if that request is still running; None
    when this is the first (on PostgreSQL the key is then claimed, see ``_CLAIM``).

    SQLite needs no wait: its units of work run one after another.
    """
    if raw.may_read_unlocked(conn):
        return None  # assumed new; checked by the key's unique index at the end (see above)
    at = {"b_scope": scope, "b_key": key}
    if _claims(conn) and raw.rows(conn, _CLAIM, at):
        return None
    row = raw.first(conn, _LOOKUP, at)
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
    if _claims(conn):
        values = {"b_fingerprint": fingerprint, "b_status": status_code, "b_body": body}
        raw.write(conn, _FILL_CLAIM, {"b_scope": scope, "b_key": key, "b_now": now, **values})
        return
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


def _claims(conn: Connection) -> bool:
    """Whether a key is claimed before the work (see ``_CLAIM``)."""
    return conn.dialect.name == "postgresql" and not raw.may_read_unlocked(conn)
