"""Shoppers' accounts, as tests drive them: registering, signing in, the token's headers."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, headers
from tests.support.store import WEB_KEY

PASSWORD = "correct horse battery"


def as_customer(token: str, key: str = WEB_KEY, **extra: str) -> dict[str, str]:
    return headers(key, **{"X-Customer-Token": token}, **extra)


async def register(client: Client, email: str, **fields: Any) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, "first_name": "Grace", "last_name": "Hopper"}
    response = await client.post("/v1/customers", json={**body, **fields}, headers=headers())
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


async def sign_in(
    client: Client, email: str, password: str = PASSWORD, key: str = WEB_KEY, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/sessions", json={"email": email, "password": password, **body}, headers=headers(key)
    )
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


async def new_customer(client: Client, email: str, **fields: Any) -> tuple[str, str]:
    """(customer id, token) of a freshly registered and signed-in customer."""
    customer_id = (await register(client, email, **fields))["customer"]["id"]
    return customer_id, (await sign_in(client, email))["token"]


def problem(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]
