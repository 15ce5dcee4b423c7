"""The request log: one JSON line per request (method, route, status, duration, request id, the
API key's channel), for a load test's verdict or a person reading what a run did.

Off unless OMNILOOM_REQUEST_LOG names a file (or `-` for stderr); when off, nothing of it runs.
When on, it wraps the whole app (outside routing and error handling), so refused keys, unknown
routes and problems are logged with the status the client saw. The line's request id is the
one the answer carries (api/request_id.py): the client's own when usable, else one made here and
handed to that hook through the request's headers, so log and answer agree.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import msgspec

from omniloom.api.auth import PRINCIPAL_KEY
from omniloom.api.request_id import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

_USABLE = re.compile(REQUEST_ID_PATTERN.encode())
_NAME = REQUEST_ID_HEADER.lower().encode()


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
        if name == _NAME:
            return bytes(value) if _USABLE.match(value) else None
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
        request_id = _client_id(scope["headers"])
        if request_id is None:
            request_id = f"{prefix}-{next(numbers)}".encode()
            others = [(name, value) for name, value in scope["headers"] if name != _NAME]
            scope["headers"] = [*others, (_NAME, request_id)]
        status = 0

        async def send_seeing_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_seeing_status)
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
