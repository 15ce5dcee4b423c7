"""Who may call each route: one table, enforced by one middleware.

Every route has exactly one line in ``ACCESS``: the key scopes that may call it (admin keys
pass every key check), the channels it is limited to, and what the caller must own. A route
without a line fails the suite (tests/e2e/test_access_table.py). Adding a route is adding a line::

    "POST /v1/messages/{message_id}/open": storefront(note="the link in the message"),

Ownership named in the path (``cart("cart_id")``) is proved here, before the handler runs
(api.ownership says what counts as proof). Ownership named in the body (``in_body=True``) is
proved by the handler with the same functions, once it has decoded the body; the table says so,
for the README and the matrix test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as AsgiScope

from omniloom.api import ownership
from omniloom.api.auth import REQUIRED_CHANNELS, REQUIRED_SCOPE, check_key
from omniloom.api.hygiene import refuse_nul
from omniloom.domain.channels import Channel, Scope
from omniloom.domain.errors import OutOfScope


class Owns(StrEnum):
    CART = "cart"
    ORDER = "order"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class Rule:
    # Keys of any of these scopes may call (admin keys always may); empty: no key at all.
    scopes: frozenset[Scope] = frozenset()
    # When set, only keys of these channels (and admin keys).
    channels: frozenset[Channel] = frozenset()
    # What the caller must prove it owns, and the path parameter naming it.
    owns: Owns | None = None
    param: str | None = None
    # Named in the body instead: the handler proves it (api.ownership) after decoding.
    in_body: bool = False
    note: str = ""


RULE_OPT = "omniloom.access"  # route handler `opt` key the table's rule is put under

_STOREFRONT = frozenset({Scope.STOREFRONT})
_POS = frozenset({Scope.POS})
_ADMIN = frozenset({Scope.ADMIN})

PUBLIC = Rule()
ADMIN = Rule(_ADMIN)
POS = Rule(_POS, note="a till key; sales and registers of its own store")


def storefront(note: str = "") -> Rule:
    return Rule(_STOREFRONT, note=note)


def pos(note: str = "") -> Rule:
    return Rule(_POS, note=note)


def cart(param: str = "cart_id") -> Rule:
    return Rule(_STOREFRONT, owns=Owns.CART, param=param)


def order(param: str = "order_id") -> Rule:
    return Rule(_STOREFRONT, owns=Owns.ORDER, param=param)


def customer(param: str = "customer_id") -> Rule:
    return Rule(_STOREFRONT, owns=Owns.CUSTOMER, param=param)


def in_body(owns: Owns, note: str, scopes: frozenset[Scope] = _STOREFRONT) -> Rule:
    return Rule(scopes, owns=owns, in_body=True, note=note)


def channel_door(*channels: Channel, note: str = "") -> Rule:
    return Rule(_STOREFRONT, channels=frozenset(channels), note=note)


_STOREFRONT_OR_POS = frozenset({Scope.STOREFRONT, Scope.POS})

# "METHOD /path/{param}" → rule. Keep to one line per route, grouped by capability.
ACCESS: dict[str, Rule] = {
    # Health and the API documentation
    "GET /health": PUBLIC,
    "GET /hello": PUBLIC,
    # Catalog
    "GET /v1/products": storefront(),
    "GET /v1/products/{product_id}": storefront(),
    "GET /v1/categories": storefront(),
    "GET /v1/products/{product_id}/reviews": storefront(),
    "POST /v1/products/{product_id}/reviews": in_body(
        Owns.CUSTOMER, "the reviewer's token (an admin key names customer_id)", _STOREFRONT_OR_POS
    ),
    # Carts and checkout
    "POST /v1/carts": in_body(Owns.CUSTOMER, "customer_id, when given: that customer's token"),
    "GET /v1/carts/{cart_id}": cart(),
    "POST /v1/carts/{cart_id}/lines": cart(),
    "PATCH /v1/carts/{cart_id}/lines/{line_id}": cart(),
    "DELETE /v1/carts/{cart_id}/lines/{line_id}": cart(),
    "POST /v1/carts/{cart_id}/links": cart(),
    "POST /v1/carts/{cart_id}/checkout": cart(),
    # Orders
    "GET /v1/orders": in_body(Owns.CUSTOMER, "?customer_id=: that customer's token"),
    "GET /v1/orders/{order_id}": order(),
    # Returns
    "POST /v1/returns": in_body(Owns.ORDER, "order_id: its token or owner", _STOREFRONT_OR_POS),
    "POST /v1/returns/exchanges": pos(),
    "POST /v1/returns/without-receipt": pos(),
    # Devices
    "POST /v1/devices": storefront(),
    "GET /v1/devices/{device_id}": storefront(),
    # Customers and sessions
    "POST /v1/customers": storefront(),
    "GET /v1/customers/{customer_id}": customer(),
    "GET /v1/customers/{customer_id}/identifiers": customer(),
    "GET /v1/customers/{customer_id}/orders": customer(),
    "GET /v1/customers/{customer_id}/cart": customer(),
    "GET /v1/customers/{customer_id}/consents": customer(),
    "PUT /v1/customers/{customer_id}/consents": customer(),
    "GET /v1/customers/{customer_id}/wishlist": customer(),
    "POST /v1/customers/{customer_id}/wishlist": customer(),
    "DELETE /v1/customers/{customer_id}/wishlist/{product_id}": customer(),
    "GET /v1/customers/{customer_id}/journey": customer(),
    "GET /v1/customers/{customer_id}/profile": customer(),
    "POST /v1/sessions": storefront("rate-limited per account and per device"),
    "DELETE /v1/sessions/current": storefront("the token signed out is the one sent"),
    "POST /v1/identify": in_body(
        Owns.CUSTOMER, "without a token: a claim only", _STOREFRONT_OR_POS
    ),
    # Social commerce
    "POST /v1/social/posts": channel_door(Channel.SOCIAL),
    "GET /v1/social/posts/{post_id}": channel_door(Channel.SOCIAL),
    "POST /v1/social/posts/{post_id}/clicks": channel_door(Channel.SOCIAL),
    "POST /v1/social/orders": channel_door(Channel.SOCIAL),
    # Point of sale
    "POST /v1/pos/handoff-codes": in_body(Owns.CART, "cart_id: its token or owner"),
    "GET /v1/pos/registers": POS,
    "POST /v1/pos/registers/{register_id}/shifts": POS,
    "POST /v1/pos/registers/{register_id}/sales": POS,
    "POST /v1/pos/registers/{register_id}/handoff": POS,
    "POST /v1/pos/registers/{register_id}/offline-batches": POS,
    "GET /v1/pos/shifts/{shift_id}": POS,
    "POST /v1/pos/shifts/{shift_id}/close": POS,
    "GET /v1/pos/sales/{cart_id}": POS,
    "POST /v1/pos/sales/{cart_id}/scan": POS,
    "POST /v1/pos/sales/{cart_id}/customer": POS,
    "POST /v1/pos/sales/{cart_id}/lines/{line_id}/price": POS,
    "POST /v1/pos/sales/{cart_id}/lines/{line_id}/void": POS,
    "POST /v1/pos/sales/{cart_id}/pay": POS,
    "POST /v1/pos/sales/{cart_id}/void": POS,
    "GET /v1/pos/sales/{cart_id}/ship-to-home": POS,
    "POST /v1/pos/sales/{cart_id}/ship-to-home": POS,
    "POST /v1/pos/sales/{cart_id}/ship-to-home/{line_id}/void": POS,
    "GET /v1/pos/receipts/{order_id}": POS,
    "GET /v1/pos/customers": POS,
    "GET /v1/pos/gift-cards/{code}": POS,
    "GET /v1/pos/stock-conflicts": POS,
    "POST /v1/pos/stock-conflicts/{conflict_id}/resolve": POS,
    # Administration
    "GET /v1/admin/clock": ADMIN,
    "POST /v1/admin/clock/advance": ADMIN,
    "POST /v1/admin/clock/freeze": ADMIN,
    "POST /v1/admin/clock/resume": ADMIN,
    "POST /v1/admin/clock/set": ADMIN,
    "POST /v1/admin/customers/merge": ADMIN,
    "GET /v1/admin/events": ADMIN,
    "PUT /v1/admin/locations/{location_id}/stock-policy": ADMIN,
    "POST /v1/admin/orders/{order_id}/{move}": ADMIN,
    "GET /v1/admin/promotions": ADMIN,
    "POST /v1/admin/promotions": ADMIN,
    "POST /v1/admin/stock/adjustments": ADMIN,
    "GET /v1/admin/stock/movements": ADMIN,
    "POST /v1/admin/stock/transfers": ADMIN,
    "GET /v1/admin/verify": ADMIN,
    "PUT /v1/admin/clock": ADMIN,
    "POST /v1/admin/reset": ADMIN,
    "POST /v1/admin/snapshots": ADMIN,
    "GET /v1/admin/snapshots": ADMIN,
    "GET /v1/admin/snapshots/{name}": ADMIN,
    "POST /v1/admin/snapshots/{name}/restore": ADMIN,
    "DELETE /v1/admin/snapshots/{name}": ADMIN,
    "GET /v1/admin/faults": ADMIN,
    "POST /v1/admin/faults": ADMIN,
    "DELETE /v1/admin/faults": ADMIN,
    "GET /v1/admin/faults/{rule_id}": ADMIN,
    "DELETE /v1/admin/faults/{rule_id}": ADMIN,
    "GET /v1/touchpoints": ADMIN,
    # Messaging
    "GET /v1/customers/{customer_id}/messaging": customer(),
    "PUT /v1/customers/{customer_id}/messaging": customer(),
    "POST /v1/messaging/inbound": channel_door(Channel.MESSAGING, note="a shopper's reply"),
    "GET /v1/links/{token}": storefront("the link's own token is the proof"),
    "POST /v1/admin/messages": ADMIN,
    "GET /v1/admin/outbox": ADMIN,
    "GET /v1/admin/outbox/wait": ADMIN,
    "GET /v1/admin/outbox/stream": ADMIN,
    "GET /v1/admin/outbox/{message_id}": ADMIN,
    "DELETE /v1/admin/outbox": ADMIN,
    "GET /v1/admin/flows": ADMIN,
    "GET /v1/admin/flows/{flow_id}": ADMIN,
    "PUT /v1/admin/flows/{flow_id}": ADMIN,
    "GET /v1/admin/flow-runs": ADMIN,
    # Webhooks
    "GET /v1/admin/webhooks": ADMIN,
    "POST /v1/admin/webhooks": ADMIN,
    "GET /v1/admin/webhooks/{endpoint_id}": ADMIN,
    "POST /v1/admin/webhooks/{endpoint_id}/disable": ADMIN,
    "POST /v1/admin/webhooks/{endpoint_id}/enable": ADMIN,
    "POST /v1/admin/webhooks/{endpoint_id}/rotate-secret": ADMIN,
    "GET /v1/admin/webhooks/{endpoint_id}/deliveries": ADMIN,
    "POST /v1/admin/webhooks/deliveries/{delivery_id}/replay": ADMIN,
    "POST /v1/admin/webhooks/dispatch": ADMIN,
    # Analytics
    "GET /v1/analytics/attribution": ADMIN,
    "GET /v1/analytics/kpis": ADMIN,
    "GET /v1/analytics/transitions": ADMIN,
}

# Served by Litestar itself for every route, or the documentation: open to everyone.
_OPEN_METHODS = frozenset({"OPTIONS", "HEAD"})
_OPEN_PREFIXES = ("/docs",)
_PARAM_TYPE = re.compile(r":[^}]+\}")


def route_key(method: str, path: str) -> str:
    """``GET /v1/carts/{cart_id:str}`` → ``GET /v1/carts/{cart_id}``, as the table names it."""
    return f"{method} {_PARAM_TYPE.sub('}', path)}"


def routes(app: Litestar) -> list[tuple[str | None, Any]]:
    """(table key, handler) of every method the app serves; the key is None for what is open
    to everyone without a line (pre-flight OPTIONS, HEAD, the documentation)."""
    found: list[tuple[str | None, Any]] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(getattr(handler, "http_methods", ())):
                if method in _OPEN_METHODS or route.path.startswith(_OPEN_PREFIXES):
                    found.append((None, handler))
                else:
                    found.append((route_key(method, route.path), handler))
    return found


def apply_access_table(app: Litestar, table: dict[str, Rule] = ACCESS) -> list[str]:
    """Put each route's rule on its handler; returns the routes the table has no line for.

    Those keep the scope their controller declared with ``auth.requires``, if any; a route with
    neither is refused to every caller. The suite fails until each has its line."""
    missing = []
    for key, handler in routes(app):
        if key is None:
            handler.opt.setdefault(RULE_OPT, PUBLIC)
            continue
        rule = table.get(key)
        if rule is None:
            missing.append(key)
            continue
        earlier = handler.opt.get(RULE_OPT)
        if earlier is not None and earlier != rule:
            raise ValueError(f"{key}: one handler, two different rules")
        handler.opt[RULE_OPT] = rule
    return missing


def _rule_of(handler: Any) -> Rule | None:
    rule: Rule | None = handler.opt.get(RULE_OPT)
    if rule is None and REQUIRED_SCOPE in handler.opt:
        # A route the table does not know yet: its controller's requires() still holds.
        rule = Rule(handler.opt[REQUIRED_SCOPE], handler.opt.get(REQUIRED_CHANNELS, frozenset()))
    return rule


async def _prove(scope: AsgiScope, rule: Rule) -> None:
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    value = scope["path_params"][rule.param or ""]
    if rule.owns is Owns.CART:
        await ownership.prove_cart(connection, value)
    elif rule.owns is Owns.ORDER:
        await ownership.prove_order(connection, value)
    else:
        await ownership.prove_customer(connection, value)


def access_middleware(app: ASGIApp) -> ASGIApp:
    """Checks each request against its route's rule before the handler runs.

    An ASGI middleware rather than a Litestar guard: a guard call copies the route handler on
    every request, which cost as much as the product-detail query itself.
    """

    async def middleware(scope: AsgiScope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if handler is None:
            return await app(scope, receive, send)
        refuse_nul(scope)
        rule = _rule_of(handler)
        if rule is None:
            # Closed until someone writes its rule down: a forgotten line opens nothing.
            raise OutOfScope("This route has no access rule yet (omniloom/api/access.py).")
        if rule.scopes:
            check_key(scope, rule.scopes, rule.channels)
            if rule.param is not None:
                await _prove(scope, rule)
        await app(scope, receive, send)

    return middleware
