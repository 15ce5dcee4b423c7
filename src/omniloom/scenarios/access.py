"""The access contract, as every scenario client follows it.

Storefront keys are public; what a shopper owns needs proof. The client remembers the
``cart_token`` and ``order_token`` of every cart and order it is answered with, and sends
``X-Cart-Token`` / ``X-Order-Token`` with any call that names that cart or order (in its path or
body), and ``X-Customer-Token`` once its shopper signed in. A device it registered is answered
with its ``device_token``, sent as ``X-Device-Token`` with every call made on that device (a
device id alone proves nothing). Sending them where the server does not ask for them is
harmless.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from omniloom.scenarios.actor import Actor, Request
from omniloom.scenarios.protocol import HttpCall

DEMO_KEYS = {
    "web": "olk_web_demo",
    "mobile": "olk_mobile_demo",
    "social": "olk_social_demo",
    "messaging": "olk_messaging_demo",
    "pos": "olk_pos_nyc_demo",
    "admin": "olk_admin_demo",
}
# Channels whose callers are shoppers, so a customer token means something there.
STOREFRONT = frozenset({"web", "mobile", "social", "messaging"})


class Access:
    """One journey's keys and the secrets it has been handed so far."""

    def __init__(self, keys: Mapping[str, str] | None = None) -> None:
        self.keys = {**DEMO_KEYS, **(keys or {})}
        self.tokens: dict[str, tuple[str, str]] = {}  # cart or order id → (header, token)
        self.devices: dict[str, str] = {}  # device id → its device token

    def call(
        self,
        request: Request,
        channel: str,
        actor: Actor | None,
        device: str | None,
        name: str,
    ) -> HttpCall:
        """``request`` as it goes out: the channel's key, the device, and every proof it needs."""
        channel = request.channel or channel
        headers = {"X-API-Key": self.keys.get(channel, self.keys["web"])}
        if device and request.channel is None:
            headers["X-Device-Id"] = device
            if device in self.devices:
                headers["X-Device-Token"] = self.devices[device]
        if actor is not None and actor.token and channel in STOREFRONT:
            headers["X-Customer-Token"] = actor.token
        body = "" if request.json is None else msgspec.json.encode(request.json).decode()
        mentioned = request.path + body
        for known_id, (header, token) in self.tokens.items():
            if known_id in mentioned:
                headers[header] = token
        headers.update(request.headers)
        return HttpCall(request.method, request.path, headers, request.json, name)

    def learn(self, body: Any) -> None:
        """Remember the cart, order and device tokens anywhere in an answer."""
        for found in _objects(body):
            # A view shows a token only to whoever may have it; null elsewhere.
            if isinstance(found.get("cart_token"), str):
                cart_id = found.get("id") if "lines" in found else found.get("cart_id")
                if cart_id:
                    self.tokens[cart_id] = ("X-Cart-Token", found["cart_token"])
            if isinstance(found.get("order_token"), str) and found.get("id"):
                self.tokens[found["id"]] = ("X-Order-Token", found["order_token"])
            if isinstance(found.get("device_token"), str) and found.get("id"):
                self.devices[found["id"]] = found["device_token"]


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)
