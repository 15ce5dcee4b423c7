"""What every action builds on: the Request an action yields, the Actor it acts for, and the
small helpers that turn arguments into paths and bodies.

An action is a small generator: it yields ``Request``s (the journey adds keys and tokens) and
returns the reply its step's expectations are checked against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import msgspec

from omniloom.scenarios.protocol import HttpReply


class Request(msgspec.Struct, frozen=True):
    method: str
    path: str
    json: Any = None
    # Admin-only routes (the clock, stock moves, order moves) go out with the admin key.
    channel: str | None = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)


@dataclass(slots=True)
class Actor:
    """A shopper (or an associate) as the journey knows them: who they are, and the cart, sale,
    order and sign-in they currently have, learned from the answers they got."""

    name: str
    profile: dict[str, Any]
    # Every order the journey's actors saw, by id (shared between them).
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    customer_id: str | None = None
    token: str | None = None
    cart: str | None = None
    sale: str | None = None
    sale_total: int | None = None
    order: str | None = None

    def learn(self, body: Any) -> None:
        """Remember what this answer makes current (a new cart, a sign-in, a placed order)."""
        if not isinstance(body, dict):
            return
        # Recognised by shape, so raw `http` steps (and recorded sessions) are remembered too.
        if {"token", "customer_id", "expires_at"} <= body.keys():
            self.token, self.customer_id = body["token"], body.get("customer_id")
            merged = (body.get("merge") or {}).get("cart")
            if merged:  # the device's cart merged into the customer's: that one is current now
                self.cart = merged["id"]
        elif "linked_orders" in body and isinstance(body.get("customer"), dict):
            self.customer_id = body["customer"]["id"]
        elif "register_id" in body and "cart_id" in body and "subtotal" in body:
            self.sale, self.sale_total = body["cart_id"], body.get("total")
        elif "version" in body and "lines" in body and "item_count" in body:
            self.cart = body["id"]
        elif "fulfilment" in body and "total" in body and "id" in body:
            self.order = body["id"]
            self.orders[body["id"]] = body


Plan = Generator[Request, HttpReply, HttpReply]
Builder = Callable[[dict[str, Any], Actor, str | None], Plan]


def one(request: Request) -> Plan:
    reply = yield request
    return reply


def need(value: str | None, what: str) -> str:
    if not value:
        raise ActionError(f"no {what} yet: name one, or run a step that makes one first")
    return value


class ActionError(Exception):
    """An action that cannot be built from what the journey knows (no cart yet, …)."""


def query(path: str, params: dict[str, Any]) -> str:
    present = {k: val for k, val in params.items() if val is not None}
    return f"{path}?{urlencode(present)}" if present else path


def seg(value: Any) -> str:
    return quote(str(value), safe="")


def address(value: Any, actor: Actor) -> dict[str, Any]:
    if value in (None, "home"):
        return dict(actor.profile["address"])
    if isinstance(value, dict):
        return value
    raise ActionError(f"ship_to is an address or 'home', not {value!r}")


def present(body: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in body.items() if val is not None}


DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_duration(text: str) -> int:
    """Seconds in ``30s``, ``15m``, ``2h`` or ``3d``; raises ValueError otherwise."""
    match = DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 2h or 3d")
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86_400}[match.group(2)]
    return int(match.group(1)) * factor


def advance_clock(seconds: int) -> Request:
    """The request that lets simulated time pass (also used between retries)."""
    return Request("POST", "/v1/admin/clock/advance", {"seconds": seconds}, "admin")
