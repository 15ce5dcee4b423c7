"""The request log: one JSON line per request (method, route, status, duration, request id, the
API key's channel), for a load test's verdict or a person reading what a run did.

Off unless OMNILOOM_REQUEST_LOG names a file (or `-` for stderr); when off, nothing of it runs.
When on, it wraps the whole app (outside routing and error handling), so refused keys, unknown
routes and problems are logged with the status the client saw, and every answer carries an
X-Request-Id: the client's own, when it sent one, else one made here.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import msgspec

from omniloom.api.auth import PRINCIPAL_KEY

# A client's request id is echoed only when it looks like one (no header injection, no novels).
_MAX_CLIENT_ID = 64
_ALLOWED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


class RequestLine(msgspec.Struct, frozen=True):
    at: float  # wall seconds when the request arrived
    method: str
    route: str  # the route's template, e.g. /v1/carts/{cart_id:str}; the path if none matched
    status: int
    duration_ms: float
    request_id: str
    channel: str | None


def open_sink(target: str) -> IO[bytes]:
    if target == "-":
        return sys.stderr.buffer
    # Line-buffered in effect: each line is written whole, so several processes can share a file.
    return open(target, "ab", buffering=0)  # kept open as long as the server runs


def _client_id(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == b"x-request-id":
            if 0 < len(value) <= _MAX_CLIENT_ID and all(c in _ALLOWED for c in value):
                return value
            return None
    return None


def wrap(app: Callable[..., Any], sink: IO[bytes]) -> Callable[..., Any]:
    prefix = os.urandom(3).hex()
    numbers = itertools.count(1)
    encode = msgspec.json.Encoder().encode

    async def logged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, at = time.perf_counter(), time.time()
        request_id = _client_id(scope["headers"]) or f"{prefix}-{next(numbers)}".encode()
        status = 0

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id)]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            principal = scope.get(PRINCIPAL_KEY)
            line = RequestLine(
                at=at,
                method=scope["method"],
                route=scope.get("path_template") or scope["path"],
                status=status or 500,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                request_id=request_id.decode(),
                channel=getattr(principal, "channel", None),
            )
            sink.write(encode(line) + b"\n")

    return logged


def read_lines(path: str) -> list[RequestLine]:
    decoder = msgspec.json.Decoder(RequestLine)
    with open(path, "rb") as lines:
        return [decoder.decode(line) for line in lines if line.strip()]
