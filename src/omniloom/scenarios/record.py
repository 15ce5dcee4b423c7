"""Recording: a proxy in front of a server writes the calls a client makes as a scenario file.

    omniloom scenario record --target http://127.0.0.1:8000 --port 8001 --out recorded.yaml

Point the client (an app, a test, curl) at the proxy's port. Every call is forwarded as it came
and written down as an ``http`` step expecting the status it got, with its channel read from
the API key and its device from ``X-Device-Id``. Proof headers (``X-Cart-Token``,
``X-Order-Token``, ``X-Customer-Token``, ``X-Device-Token``) are left out: the replaying
journey sends the tokens it is answered with itself. Ids are kept literally, so the file
replays to the same end state on a store seeded the same way (a fresh demo store with the
server's id seed, ``--seed``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import msgspec
import yaml

from omniloom.scenarios.access import DEMO_KEYS

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# Sent again by the replaying journey from what it is answered with, or by the transport.
_NOT_RECORDED = {
    "x-cart-token",
    "x-order-token",
    "x-customer-token",
    "x-device-token",
    "x-api-key",
}
_RECORDED = ("idempotency-key", "if-match")
_NOT_FORWARDED = {"host", "content-length", "connection"}
_NOT_RETURNED = {"content-length", "transfer-encoding", "content-encoding", "connection"}


class Recorder:
    """An ASGI app that forwards to ``upstream`` and keeps each call as a scenario step."""

    def __init__(
        self,
        upstream: httpx.AsyncClient,
        *,
        out: Path | None = None,
        name: str = "recorded session",
        seed: int = 42,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        self.upstream, self.out, self.name, self.seed = upstream, out, name, seed
        self.channels = {key: channel for channel, key in {**DEMO_KEYS, **(keys or {})}.items()}
        self.steps: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        path = scope["path"] + (
            f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
        )
        forwarded = {k: v for k, v in headers.items() if k not in _NOT_FORWARDED}
        try:
            response = await self.upstream.request(
                scope["method"], path, headers=forwarded, content=body
            )
        except httpx.TransportError as exc:  # the server is down: say so, record nothing
            problem = {"code": "upstream_unreachable", "detail": f"{self.upstream.base_url}: {exc}"}
            await _answer(send, 502, msgspec.json.encode(problem))
            return
        content = response.content
        out_headers = [
            (k.encode(), v.encode())
            for k, v in response.headers.items()
            if k.lower() not in _NOT_RETURNED
        ]
        out_headers.append((b"content-length", str(len(content)).encode()))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": out_headers}
        )
        await send({"type": "http.response.body", "body": content})
        self.steps.append(self._step(scope["method"], path, headers, body, response.status_code))
        if self.out is not None:
            self.out.write_text(self.scenario_text())

    def _step(
        self, method: str, path: str, headers: dict[str, str], body: bytes, status: int
    ) -> dict[str, Any]:
        http: dict[str, Any] = {"method": method, "path": path}
        if body:
            try:
                http["json"] = msgspec.json.decode(body)
            except msgspec.DecodeError:
                http["json"] = body.decode(errors="replace")
        extra = {
            k: v
            for k, v in headers.items()
            if (k.startswith("x-") or k in _RECORDED) and k not in _NOT_RECORDED
        }
        if extra:
            http["headers"] = extra
        step: dict[str, Any] = {"http": http}
        channel = self.channels.get(headers.get("x-api-key", ""))
        if channel is not None:
            step["channel"] = channel
        step["expect"] = {"status": status}
        return step

    def scenario_text(self) -> str:
        header = (
            "# Recorded by `omniloom scenario record`: the calls a client made, as made.\n"
            "# Replays to the same end state on a fresh demo store seeded like the server.\n"
        )
        document = {"name": self.name, "seed": self.seed, "steps": self.steps}
        dumped: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        return header + dumped


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/problem+json")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
