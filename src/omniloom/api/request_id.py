"""Every answer carries ``X-Request-Id``: the client's own id when it sent a usable one, else a
fresh ``req_…``. Support questions ("why was this declined?") can then name one request."""

from __future__ import annotations

import os
import re

from litestar.types import Message, Scope

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,64}$"
_USABLE = re.compile(REQUEST_ID_PATTERN.encode())
_NAME = REQUEST_ID_HEADER.lower().encode()


def _request_id(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == _NAME:
            if _USABLE.match(value):
                return bytes(value)
            break
    return b"req_" + os.urandom(8).hex().encode()


_SCOPE_KEY = "omniloom.request_id"


def request_id_of(scope: Scope) -> bytes:
    """This request's id, decided once: the request log (api/request_log) and the answer's
    header name the same one."""
    found: bytes | None = scope.get(_SCOPE_KEY)  # type: ignore[assignment]
    if found is None:
        found = _request_id(scope)
        scope[_SCOPE_KEY] = found  # type: ignore[literal-required]
    return found


async def add_request_id(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every answer, router 404s and key refusals included."""
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", ()), (_NAME, request_id_of(scope))]
