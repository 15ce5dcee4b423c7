"""Which channel keys may call each operation, and what the caller must own, from the route's
line in the access table (api/access.py) — the same rule that lets a request in or refuses it."""

from __future__ import annotations

from typing import Any

from omniloom.api.access import RULE_OPT, Owns, Rule
from omniloom.api.auth import REQUIRED_CHANNELS, REQUIRED_SCOPE
from omniloom.domain.channels import Scope

_HEADER = {"type": "apiKey", "in": "header", "name": "X-API-Key"}

SCHEMES: dict[str, dict[str, Any]] = {
    "storefrontKey": {
        **_HEADER,
        "description": "A storefront channel's key: web `olk_web_demo`, mobile "
        "`olk_mobile_demo`, social `olk_social_demo`, messaging `olk_messaging_demo`. Public: "
        "it names the door, it proves nothing about the shopper.",
    },
    "socialKey": {
        **_HEADER,
        "description": "The social channel's key (`olk_social_demo`): social commerce routes.",
    },
    "messagingKey": {
        **_HEADER,
        "description": "The messaging channel's key (`olk_messaging_demo`): shoppers' replies.",
    },
    "posKey": {
        **_HEADER,
        "description": "A till's key, bound to one store (`olk_pos_nyc_demo`, New York).",
    },
    "adminKey": {
        **_HEADER,
        "description": "The administrator's key (`olk_admin_demo`): every route.",
    },
}

_SCHEME_OF_SCOPE = {Scope.STOREFRONT: "storefrontKey", Scope.POS: "posKey", Scope.ADMIN: "adminKey"}


def owned(opt: dict[str, Any]) -> Owns | None:
    """What a caller of the route must prove it owns, if anything."""
    rule = _rule(opt)
    return rule.owns if rule is not None else None


def _rule(opt: dict[str, Any]) -> Rule | None:
    rule: Rule | None = opt.get(RULE_OPT)
    return rule


def requirement(opt: dict[str, Any]) -> list[dict[str, list[str]]]:
    """The OpenAPI security of a route with handler ``opt``: any one of the keys listed."""
    rule: Rule | None = opt.get(RULE_OPT)
    if rule is not None:
        scopes, channels = rule.scopes or None, set(rule.channels)
    else:  # a route the table has no line for yet: its controller's requires()
        scopes, channels = opt.get(REQUIRED_SCOPE), set(opt.get(REQUIRED_CHANNELS) or ())
    if scopes is None:
        return []  # open to anyone (health)
    if channels:
        names = [f"{channel}Key" for channel in sorted(channels) if f"{channel}Key" in SCHEMES]
    else:
        names = [_SCHEME_OF_SCOPE[scope] for scope in sorted(scopes)]
    names = [name for name in names if name != "adminKey"] + ["adminKey"]
    return [{name: []} for name in names]


def owns(opt: dict[str, Any]) -> str | None:
    """What the route's caller must prove they own: cart, order, customer, or None."""
    rule: Rule | None = opt.get(RULE_OPT)
    return None if rule is None or rule.owns is None else str(rule.owns)


def describe(opt: dict[str, Any]) -> str:
    """One line for the operation's description: who may call it."""
    keys = [next(iter(item)) for item in requirement(opt)]
    if not keys:
        return "No key needed."
    line = "Keys: " + ", ".join(f"`{name}`" for name in keys) + "."
    rule: Rule | None = opt.get(RULE_OPT)
    if rule is not None and rule.owns is not None:
        line += " " + _PROOF[rule.owns]
        if rule.in_body and rule.note:
            line += f" ({rule.note})"
    return line


_PROOF = {
    Owns.CART: "Proof of the cart: `X-Cart-Token`, the owner's `X-Customer-Token`, or a POS or "
    "admin key; otherwise 404 `cart_not_found`.",
    Owns.ORDER: "Proof of the order: `X-Order-Token`, the owner's `X-Customer-Token`, or a POS "
    "or admin key; otherwise 404 `order_not_found`.",
    Owns.CUSTOMER: "Proof of the customer: their `X-Customer-Token` (or an admin key).",
}
