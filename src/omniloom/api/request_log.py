"""The request log: one JSON line per request (method, route, status, duration, request id, the
API key's channel), for a load test's verdict or a person reading what a run did.

Off unless OMNILOOM_REQUEST_LOG names a file (or `-` for stderr); when off, nothing of it runs.
When on, it wraps the whole app (outside routing and error handling), so refused keys, unknown
routes and problems are logged with the status the client saw, under the X-Request-Id the
answer carries (api/request_id decides it once: the client's own when usable, else a new one).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

import msgspec

from omniloom.api.auth import PRINCIPAL_KEY
from omniloom.api.request_id import request_id_of


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


def wrap(app: Callable[..., Any], sink: IO[bytes]) -> Callable[..., Any]:
    encode = msgspec.json.Encoder().encode

    async def logged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, at = time.perf_counter(), time.time()
        request_id = request_id_of(scope)
        status = 0

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
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
