"""Bad input gets a 4xx problem+json naming the field, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Client, add, checkout_body, events, headers, new_cart, stock


async def _snapshot(client: Client, cart_id: str) -> tuple[Any, ...]:
    cart = (await client.get(f"/v1/carts/{cart_id}", headers=headers())).json()
    return (
        cart,
        await stock(client, "prd_mug", "SKU-MUG"),
        await stock(client, "prd_tee", "SKU-TEE-M"),
        len(await events(client)),
    )


LINE_CASES = [
    pytest.param(b'{"sku": "SKU-MUG", "quantity": ', 400, "malformed_json", None, id="malformed"),
    pytest.param(b'{"sku": "NOPE", "quantity": 1}', 422, "unknown_sku", "sku", id="unknown-sku"),
    pytest.param(b'{"sku": "SKU-MUG", "quantity": 0}', 422, "invalid_input", "quantity", id="zero"),
    pytest.param(
        b'{"sku": "SKU-MUG", "quantity": -3}', 422, "invalid_input", "quantity", id="negative"
    ),
    pytest.param(
        b'{"sku": "SKU-MUG", "quantity": 1000000000000}',
        422,
        "invalid_input",
        "quantity",
        id="absurd",
    ),
    pytest.param(
        b'{"sku": "SKU-MUG", "quantity": 1, "price": 1}',
        422,
        "invalid_input",
        "price",
        id="unknown-field",
    ),
    pytest.param(
        b'{"sku": "SKU-MUG", "quantity": "2"}', 422, "invalid_input", "quantity", id="wrong-type"
    ),
    pytest.param(b'{"sku": 42, "quantity": 1}', 422, "invalid_input", "sku", id="sku-not-text"),
    pytest.param(b'{"quantity": 1}', 422, "invalid_input", "sku", id="missing-sku"),
    pytest.param(b"[]", 422, "invalid_input", "body", id="not-an-object"),
    pytest.param(b"", 422, "invalid_input", "body", id="no-body"),
    pytest.param(
        b'{"sku": "SKU-MUG", "quantity": 38}', 409, "insufficient_stock", "quantity", id="too-many"
    ),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), LINE_CASES)
async def test_bad_add_to_cart_changes_nothing(
    client: Client, body: bytes, status: int, code: str, field: str | None
) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-TEE-M", 1)
    before = await _snapshot(client, cart["id"])

    response = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        content=body,
        headers=headers(**{"Content-Type": "application/json"}),
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    if field is not None:
        assert field in {error["field"] for error in problem["errors"]}, problem
    assert await _snapshot(client, cart["id"]) == before


async def test_oversized_body_is_refused_and_changes_nothing(client: Client) -> None:
    cart = await new_cart(client)
    before = await _snapshot(client, cart["id"])
    padding = "x" * (128 * 1024)
    response = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        content=f'{{"sku": "SKU-MUG", "quantity": 1, "note": "{padding}"}}'.encode(),
        headers=headers(**{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert await _snapshot(client, cart["id"]) == before


CHECKOUT_CASES = [
    pytest.param({"payment": {"method": "card", "card_number": "4242424242424242"}}, "fulfilment"),
    pytest.param(checkout_body(card="4242424242424241"), "payment.card_number"),
    pytest.param(
        checkout_body(type="pickup", location_id="loc_dc_columbus"), "fulfilment.location_id"
    ),
    pytest.param(
        {**checkout_body(), "fulfilment": {"type": "ship", "address": {"name": "A"}}},
        "fulfilment.address.line1",
    ),
    pytest.param({**checkout_body(), "fulfilment": {"type": "drone"}}, "fulfilment.type"),
]


@pytest.mark.parametrize(("body", "field"), CHECKOUT_CASES)
async def test_bad_checkout_changes_nothing(
    client: Client, body: dict[str, Any], field: str
) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 2)
    before = await _snapshot(client, cart["id"])

    response = await client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=headers())

    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in {error["field"] for error in problem["errors"]}, problem
    assert await _snapshot(client, cart["id"]) == before


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000119", "processing_error"),
    ],
)
async def test_declined_card_places_no_order_and_holds_no_stock(
    client: Client, card: str, code: str
) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 2)
    before = await _snapshot(client, cart["id"])

    response = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(card=card), headers=headers()
    )

    assert response.status_code == 402
    assert response.json()["code"] == code
    assert await _snapshot(client, cart["id"]) == before
