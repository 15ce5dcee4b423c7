"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks) for the contract run.

Idempotency keys are per API key across every route, as at card processors: a generated key
reused on another request is rightly refused (422 idempotency_key_reused), so each request
gets a key of its own. If-Match names a cart version only a previous read can know; a made-up
one is rightly a 412, so generated requests send none. The outbox's long poll and its event
stream wait up to their `timeout` in wall-clock seconds; generated requests wait none. Values
generated to be invalid (to see them refused) are left as they are.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

VERSION = r'(\*|(W/)?"?[0-9]+"?)'


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, str] | None) -> dict[str, str] | None:
    if headers is None:
        return None
    key = headers.get("Idempotency-Key")
    if key is not None and 1 <= len(key) <= 255:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    if re.fullmatch(VERSION, headers.get("If-Match", "")):
        del headers["If-Match"]
    return headers


@schemathesis.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if not context.operation.path.endswith(("/outbox/wait", "/outbox/stream")):
        return query
    query = dict(query or {})
    try:
        float(query.get("timeout", 0))
    except (TypeError, ValueError):
        return query  # generated to be refused
    query["timeout"] = 0
    return query
