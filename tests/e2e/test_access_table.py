"""The access table (omniloom/api/access.py) covers every route, and every route answers each
kind of caller as its line says: no key, each channel's key, another store's till, a customer's
token on somebody else's cart, order or profile, an expired token, and the back office."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from omniloom.api.access import ACCESS, Owns, Rule, apply_access_table, routes
from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.domain.channels import Channel, Scope
from omniloom.store import tables as t
from omniloom.store.database import Database
from tests.support.api import Client, add, checkout_body, headers, new_cart
from tests.support.identity import as_customer, new_customer
from tests.support.store import ADMIN_KEY, MOBILE_KEY, POS_KEY, SEA, WEB_KEY
from tests.support.wallet import ShopperClient, forgetful

SEA_POS_KEY = "olk_pos_sea_test"
KEYS = {
    "web": (WEB_KEY, Channel.WEB, {Scope.STOREFRONT}),
    "mobile": (MOBILE_KEY, Channel.MOBILE, {Scope.STOREFRONT}),
    "social": ("olk_social_demo", Channel.SOCIAL, {Scope.STOREFRONT}),
    "messaging": ("olk_messaging_demo", Channel.MESSAGING, {Scope.STOREFRONT}),
    "pos": (POS_KEY, Channel.POS, {Scope.POS}),
    "pos elsewhere": (SEA_POS_KEY, Channel.POS, {Scope.POS}),
    "admin": (ADMIN_KEY, Channel.ADMIN, {Scope.ADMIN, Scope.POS, Scope.STOREFRONT}),
}


def test_every_route_has_exactly_one_line_and_every_line_a_route() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    served = {key for key, _ in routes(app) if key is not None}
    assert apply_access_table(app) == [], "add these routes to ACCESS in omniloom/api/access.py"
    assert sorted(set(ACCESS) - served) == [], "these lines name no route"


def test_a_route_without_a_line_is_reported() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    table = {key: rule for key, rule in ACCESS.items() if key != "GET /v1/orders/{order_id}"}
    assert apply_access_table(app, table) == ["GET /v1/orders/{order_id}"]


async def test_the_openapi_document_has_no_route_the_table_lacks(client: Client) -> None:
    document = (await client.get("/docs/openapi.json")).json()
    documented = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() not in {"OPTIONS", "HEAD"}
    }
    assert documented and documented - set(ACCESS) == set()


@pytest.fixture
def two_tills(store_db: Database) -> Database:
    """The test store with a second store's till key (Seattle's), for the cross-store cases."""
    store_db.run_blocking(
        lambda conn: conn.execute(
            t.api_keys.insert().values(
                key=SEA_POS_KEY,
                name="Test POS Seattle",
                channel="pos",
                scopes=["pos"],
                location_id=SEA,
            )
        )
    )
    return store_db


@pytest.fixture
async def matrix_client(two_tills: Database, settings: Settings) -> AsyncIterator[Client]:
    async with ShopperClient(app=create_app(settings, two_tills)) as test_client:
        yield test_client


def _allowed(rule: Rule, channel: Channel, scopes: set[Scope]) -> bool:
    if Scope.ADMIN in scopes:
        return True
    return bool(rule.scopes & scopes) and (not rule.channels or channel in rule.channels)


def _denied_ownership(rule: Rule) -> tuple[int, str] | None:
    """What a storefront caller without proof gets on a route whose path names what it owns."""
    if rule.param is None:
        return None
    return {
        Owns.CART: (404, "cart_not_found"),
        Owns.ORDER: (404, "order_not_found"),
        Owns.CUSTOMER: (401, "customer_token_required"),
    }[rule.owns or Owns.CUSTOMER]


async def _send(client: Client, method: str, path: str, sent: dict[str, str]) -> Any:
    body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
    return await client.request(method, path, json=body, headers=sent)


async def test_every_route_answers_every_caller_as_its_line_says(matrix_client: Client) -> None:
    client = matrix_client
    # Customer B's cart and order, and B's profile: what the other callers reach for.
    b_id, b_token = await new_customer(client, "b@example.com")
    cart = await new_cart(client, customer_id=b_id, customer_token=b_token)
    await add(client, cart["id"], "SKU-MUG")
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=as_customer(b_token)
    )
    b_cart = await new_cart(client, customer_id=b_id, customer_token=b_token)
    values = {
        "cart_id": b_cart["id"],
        "order_id": placed.json()["id"],
        "customer_id": b_id,
    }
    _, a_token = await new_customer(client, "a@example.com")
    _, expiring = await new_customer(client, "c@example.com")

    def path_of(key: str) -> tuple[str, str]:
        method, path = key.split(" ", 1)
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + "x" + path[end + 1 :]
        return method, path

    wrong: list[str] = []

    def check(key: str, who: str, response: Any, expected: tuple[int, str] | None) -> None:
        got = response.status_code
        found = response.json() if "json" in response.headers.get("content-type", "") else {}
        code = found.get("code", "") if isinstance(found, dict) else ""
        if got >= 500:
            wrong.append(f"{key} as {who}: {got}")
        elif expected is not None and (got, code) != expected:
            wrong.append(f"{key} as {who}: {got} {code}, expected {expected}")
        elif expected is None and (
            got in (401, 403) or code in ("cart_not_found", "order_not_found")
        ):
            wrong.append(f"{key} as {who}: refused with {got} {code}")

    with forgetful(client):
        for key, rule in ACCESS.items():
            if key in ("DELETE /v1/sessions/current", "POST /v1/admin/reset"):
                continue  # sign the caller out / reseed the store: their own tests cover them
            method, path = path_of(key)
            no_key = await _send(client, method, path, {})
            check(
                key, "no key", no_key, None if not rule.scopes else (401, "authentication_required")
            )
            for who, (api_key, channel, scopes) in KEYS.items():
                response = await _send(client, method, path, headers(api_key))
                if not rule.scopes:
                    check(key, who, response, None)
                elif not _allowed(rule, channel, scopes):
                    check(key, who, response, (403, "out_of_scope"))
                elif Scope.STOREFRONT in scopes and Scope.ADMIN not in scopes:
                    check(key, who, response, _denied_ownership(rule))
                elif rule.param is not None:
                    check(key, who, response, None)  # staff pass every ownership proof
            if rule.param is None:
                continue
            # Another customer's token on B's cart, order or profile.
            others = await _send(client, method, path, as_customer(a_token))
            not_yours = (403, "not_your_data") if rule.owns is Owns.CUSTOMER else None
            check(key, "customer A", others, not_yours or _denied_ownership(rule))

        advance = {"seconds": int(timedelta(days=8).total_seconds())}
        moved = await client.post(
            "/v1/admin/clock/advance", json=advance, headers=headers(ADMIN_KEY)
        )
        assert moved.status_code == 200, moved.text
        for key, rule in ACCESS.items():
            if rule.param is not None:
                method, path = path_of(key)
                expired = await _send(client, method, path, as_customer(expiring))
                check(key, "an expired token", expired, (401, "token_expired"))
    assert wrong == []
