"""Answers Schemathesis found to be 500s: each is now the problem a client can act on."""

from __future__ import annotations

import pytest

from tests.support.api import Client, headers
from tests.support.store import ADMIN_KEY


@pytest.mark.parametrize(
    "path",
    [
        "/v1/admin/events?after=99999999999999999999999",
        "/v1/admin/stock/movements?after=99999999999999999999999",
        "/v1/touchpoints?cursor=99999999999999999999999",
    ],
)
async def test_a_position_beyond_any_sequence_is_invalid_input(client: Client, path: str) -> None:
    response = await client.get(path, headers=headers(ADMIN_KEY))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_input"


async def test_a_cart_for_a_customer_who_does_not_exist_names_the_field(client: Client) -> None:
    response = await client.post(
        "/v1/carts", json={"customer_id": "cus_nobody"}, headers=headers(ADMIN_KEY)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "customer_id"


async def test_a_half_life_too_short_to_measure_is_invalid_input(client: Client) -> None:
    response = await client.get(
        "/v1/analytics/attribution?model=time_decay&half_life_days=1e-38",
        headers=headers(ADMIN_KEY),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "half_life_days"


async def test_touchpoints_take_an_instant_as_unix_seconds_as_documented(client: Client) -> None:
    response = await client.get("/v1/touchpoints?until=1700000000", headers=headers(ADMIN_KEY))
    assert response.status_code == 200, response.text
    document = (await client.get("/docs/openapi.json")).json()
    until = next(
        p for p in document["paths"]["/v1/touchpoints"]["get"]["parameters"] if p["name"] == "until"
    )
    assert {"type": "number", "description": "Unix seconds"} in until["schema"]["oneOf"]
