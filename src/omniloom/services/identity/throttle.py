"""Sign-in throttling on the simulated clock: guessing passwords gets slow, then stops.

Each failed sign-in counts against the account (the email tried) and against the device (its
``X-Device-Id`` or ``device_id``, else the client's address). A subject with ``MAX_FAILURES``
failures within ``WINDOW`` is locked for ``WINDOW`` from the last of them: every sign-in for it,
the right password included, answers 429 ``too_many_attempts`` with ``Retry-After``. A
successful sign-in clears the account's count. Counted in the database, so every server process
sees the same failures; timed on the simulated clock, so tests advance it instead of waiting.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Connection

from omniloom.domain.errors import InvalidCredentials, TooManyAttempts
from omniloom.services.identity import sign_in
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import throttle_queries

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
_SUBJECT_LENGTH = 240


def account(email: str) -> str:
    return f"account:{email.strip().lower()}"[:_SUBJECT_LENGTH]


def subjects(email: str, device_id: str | None, client: str | None) -> list[str]:
    """The account and the device (or, for a client naming none, its address)."""
    source = f"device:{device_id}" if device_id else f"client:{client or 'unknown'}"
    return [account(email), source[:_SUBJECT_LENGTH]]


async def check_password(
    runtime: Runtime, email: str, password: str, names: list[str], channel: str
) -> str:
    """The customer whose password this is, unless the attempt is throttled (429) or wrong
    (401, and one more failure counted against each subject)."""
    now = runtime.clock.now()
    counted = await runtime.read(lambda conn: check(conn, names, now))
    try:
        customer_id = await sign_in.check_password(runtime, email, password)
    except InvalidCredentials:
        await runtime.write(lambda unit: record_failure(unit, names), channel)
        raise
    if account(email) in counted:
        await runtime.write(
            lambda unit: throttle_queries.forget(unit.conn, account(email)), channel
        )
    return customer_id


def check(conn: Connection, names: list[str], now: datetime) -> set[str]:
    """Refuse the attempt while any of its subjects is locked; the subjects with failures."""
    found = throttle_queries.rows(conn, names)
    locked = [
        row["locked_until"]
        for row in found.values()
        if row["locked_until"] is not None and row["locked_until"] > now
    ]
    if locked:
        wait = max(math.ceil((until - now).total_seconds()) for until in locked)
        raise TooManyAttempts(
            f"Too many failed sign-ins; try again in {wait} seconds.",
            extra={"retry_after": wait},
            headers={"Retry-After": str(wait)},
        )
    return set(found)


def record_failure(unit: Unit, names: list[str]) -> None:
    found = throttle_queries.rows(unit.conn, names, lock=True)
    for name in names:
        row = found.get(name)
        if row is None or row["window_started_at"] + WINDOW <= unit.now:
            failures, started = 1, unit.now
        else:
            failures, started = row["failures"] + 1, row["window_started_at"]
        locked_until = unit.now + WINDOW if failures >= MAX_FAILURES else None
        throttle_queries.put(
            unit.conn, name, failures, started, locked_until, exists=row is not None
        )
