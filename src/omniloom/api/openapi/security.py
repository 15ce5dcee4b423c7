"""Which channel keys may call each operation, and what the caller must prove it owns, read from
the route's line in the access table (api/access.py) — the same rule that lets a request in or
refuses it, so the document cannot drift from what the server enforces."""

from __future__ import annotations

from typing import Any

from omniloom.api.access import RULE_OPT, Owns, Rule
from omniloom.domain.channels import Channel, Scope

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


_PROOF = {
    Owns.CART: "the cart's `X-Cart-Token` (from `POST /v1/carts`), the owner's "
    "`X-Customer-Token`, a till key, or the admin key",
    Owns.ORDER: "the order's `X-Order-Token` (from checkout), the owner's `X-Customer-Token`, "
    "a till key, or the admin key",
    Owns.CUSTOMER: "that customer's `X-Customer-Token` (from `POST /v1/sessions`), "
    "or the admin key",
}


def _rule(opt: dict[str, Any]) -> Rule | None:
    rule: Rule | None = opt.get(RULE_OPT)
    return rule


def requirement(opt: dict[str, Any]) -> list[dict[str, list[str]]]:
    """The OpenAPI security of a route with handler ``opt``: any one of the keys listed."""
    rule = _rule(opt)
    if rule is None or not rule.scopes:
        return []  # open to anyone (health)
    if Channel.SOCIAL in rule.channels:
        names = ["socialKey"]
    else:
        names = [_SCHEME_OF_SCOPE[scope] for scope in sorted(rule.scopes)]
    names = [name for name in names if name != "adminKey"] + ["adminKey"]
    return [{name: []} for name in names]


def describe(opt: dict[str, Any]) -> str:
    """One line for the operation's description: who may call it."""
    keys = [next(iter(item)) for item in requirement(opt)]
    if not keys:
        return "No key needed."
    who = "Keys: " + ", ".join(f"`{name}`" for name in keys) + "."
    rule = _rule(opt)
    if rule is not None and rule.owns is not None:
        where = "what the request names" if rule.in_body else f"`{rule.param}`"
        who += f" Ownership of {where}: {_PROOF[rule.owns]}."
    if rule is not None and rule.note:
        who += f" ({rule.note})"
    return who
