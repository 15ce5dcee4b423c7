"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks) for the contract run.

One ``before_call`` hook, which runs before every request of every phase (examples, coverage,
fuzzing, stateful), where the ``map_*`` hooks only see generated data:

- Idempotency keys are per API key across every route, as at card processors: a key reused on
  another request is rightly refused (422 idempotency_key_reused), so each request gets a key of
  its own.
- If-Match names a cart version only a previous read can know; a made-up one is rightly a 412,
  so requests send none.
- The outbox's long poll and event stream wait up to their `timeout` in wall-clock seconds
  (documented on the parameter); requests here wait none, so the run stays bounded and under
  the response-time check's limit.
- A fault rule the run adds would fault the run's own later requests (5xx on purpose, dropped
  connections), so each is added with probability 0: its route and settings are still checked,
  and it never fires.

Requests generated to be refused (negative cases) are left as they are: Schemathesis
re-checks an edited request, and an edit could make it look valid again (and a header it left
out on purpose, the API key, would be sent after all).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

from omniloom.services.messaging.mailbox import MAX_STREAM_SECONDS, MAX_WAIT_SECONDS

VERSION = r'(\*|(W/)?"?[0-9]+"?)'
# The outbox's long poll and its event stream wait in wall-clock seconds, up to these limits.
WAITING = {"/v1/admin/outbox/wait": MAX_WAIT_SECONDS, "/v1/admin/outbox/stream": MAX_STREAM_SECONDS}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if case.operation.path in WAITING:
        _no_wait(case, WAITING[case.operation.path])
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    adding_fault = case.method.upper() == "POST" and case.path == "/v1/admin/faults"
    if adding_fault and isinstance(case.body, dict):
        case.body["probability"] = 0
    headers = case.headers
    if headers:
        key = headers.get("Idempotency-Key")
        if isinstance(key, str) and 1 <= len(key) <= 255:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        if isinstance(headers.get("If-Match"), str) and re.fullmatch(VERSION, headers["If-Match"]):
            del headers["If-Match"]


def _no_wait(case: Any, longest: float) -> None:
    """A wait of 0 seconds, unless the timeout is the value generated to be refused."""
    query = dict(case.query or {})
    try:
        valid = 0 <= float(query.get("timeout", 0)) <= longest
    except (TypeError, ValueError):
        valid = False
    if valid:
        case.query = {**query, "timeout": 0}
