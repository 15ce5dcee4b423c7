"""What a well-behaved client remembers: each cart's, order's and device's token, sent back
with every request about that cart, order or device (the access contract in the README's
"Access" section).

``ShopperClient`` is the test client with a wallet: responses that hand out a ``cart_token``,
``order_token`` or ``device_token`` are remembered, and a request naming a remembered cart or
order (in its path, or as ``cart_id`` / ``order_id`` in its JSON body) carries
``X-Cart-Token`` / ``X-Order-Token``; one naming a remembered device (``X-Device-Id``, a
``device_id`` in its body, or the device registered or read) carries ``X-Device-Token``;
unless it sets them itself. ``forgetful(client)`` turns the wallet off, for requests made as a
stranger who only knows an id.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

_BODY_IDS = ("cart_id", "order_id")
_PATH_IDS = re.compile(r"/v1/(?:carts|orders|pos/sales|pos/receipts)/([^/?]+)")
_DEVICE_PATH = re.compile(r"^/v1/devices/?([^/?]*)$")


class Wallet:
    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, str]] = {}  # cart or order id → (header, token)
        self.devices: dict[str, str] = {}  # device id → its device token
        self.enabled = True

    def remember(self, found: Any) -> None:
        if isinstance(found, dict):
            if isinstance(found.get("cart_token"), str):
                cart_id = str(found.get("cart_id") or found.get("id"))
                self.tokens[cart_id] = ("X-Cart-Token", found["cart_token"])
            if isinstance(found.get("order_token"), str):
                self.tokens[found["id"]] = ("X-Order-Token", found["order_token"])
            if isinstance(found.get("device_token"), str):
                self.devices[found["id"]] = found["device_token"]
            for value in found.values():
                self.remember(value)
        elif isinstance(found, list):
            for value in found:
                self.remember(value)

    def _named(self, request: httpx.Request) -> list[str]:
        named = _PATH_IDS.findall(request.url.path)
        body = _json_body(request)
        named += [body[k] for k in _BODY_IDS if isinstance(body.get(k), str)]
        return named

    def _devices_named(self, request: httpx.Request) -> list[str]:
        """The devices a request is about, the one it proves first (as the server reads it)."""
        body = _json_body(request)
        named: list[str] = []
        registering = _DEVICE_PATH.match(request.url.path)
        if registering:
            named.append(registering.group(1) or str(body.get("id")))
        named += [body["device_id"]] if isinstance(body.get("device_id"), str) else []
        named += [request.headers["X-Device-Id"]] if "X-Device-Id" in request.headers else []
        return named

    async def on_request(self, request: httpx.Request) -> None:
        if not self.enabled:
            return
        for object_id in self._named(request):
            held = self.tokens.get(object_id)
            if held is not None and held[0] not in request.headers:
                request.headers[held[0]] = held[1]
        for device_id in self._devices_named(request):
            token = self.devices.get(device_id)
            if token is not None and "X-Device-Token" not in request.headers:
                request.headers["X-Device-Token"] = token

    async def on_response(self, response: httpx.Response) -> None:
        if not self.enabled or "json" not in response.headers.get("content-type", ""):
            return
        await response.aread()
        with contextlib.suppress(ValueError):
            self.remember(response.json())


def _json_body(request: httpx.Request) -> dict[str, Any]:
    if request.content and request.headers.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            body = json.loads(request.content)
            if isinstance(body, dict):
                return body
    return {}


class ShopperClient(AsyncTestClient):
    """Litestar's test client, remembering and sending cart, order and device tokens."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wallet = Wallet()
        self.event_hooks = {
            "request": [self.wallet.on_request],
            "response": [self.wallet.on_response],
        }


@contextlib.contextmanager
def forgetful(client: Any) -> Iterator[Any]:
    """Requests inside go out as a stranger's would: no remembered token is added."""
    wallet: Wallet | None = getattr(client, "wallet", None)
    if wallet is None:
        yield client
        return
    wallet.enabled = False
    try:
        yield client
    finally:
        wallet.enabled = True
