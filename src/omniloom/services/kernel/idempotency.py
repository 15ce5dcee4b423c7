"""Idempotency-Key: the same key and body replay the first response; a new body is refused.

The key is checked and the response remembered inside the unit of work that does the change, so
a retry racing its original either sees the committed first response or waits behind it; a
change and its remembered response commit together or not at all. Failed requests are not
remembered: a client may retry a declined payment with the same key once it has fixed the card.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import msgspec

from omniloom.domain.errors import IdempotencyKeyReused
from omniloom.services.kernel.context import NO_CONTEXT, TouchContext
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import idempotency_queries


class Outcome(msgspec.Struct, frozen=True):
    status_code: int
    body: bytes
    replayed: bool
    # What the work returned; None on a replay, which has only the stored body.
    result: msgspec.Struct | None = None


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b" ", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


async def run_once(
    runtime: Runtime,
    *,
    channel: str,
    scope: str,
    key: str | None,
    request_fingerprint: str,
    status_code: int,
    work: Callable[[Unit], msgspec.Struct],
    context: TouchContext = NO_CONTEXT,
) -> Outcome:
    """Run ``work`` at most once per (scope, key); its encoded result is the response body."""

    def unit_of_work(unit: Unit) -> Outcome:
        if key is not None:
            stored = idempotency_queries.lookup(unit.conn, scope, key)
            if stored is not None:
                stored_fingerprint, stored_status, stored_body = stored
                if stored_fingerprint != request_fingerprint:
                    raise IdempotencyKeyReused(
                        "This Idempotency-Key was first used with a different request; "
                        "use a new key for a new request."
                    )
                return Outcome(stored_status, stored_body.encode(), replayed=True)
        result = work(unit)
        body = msgspec.json.encode(result)
        if key is not None:
            idempotency_queries.remember(
                unit.conn,
                scope=scope,
                key=key,
                fingerprint=request_fingerprint,
                status_code=status_code,
                body=body.decode(),
                now=unit.now,
            )
        return Outcome(status_code, body, replayed=False, result=result)

    return await runtime.write(unit_of_work, channel, context)
