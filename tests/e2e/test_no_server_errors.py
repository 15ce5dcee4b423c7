"""Input a store cannot keep is refused with a clear problem+json and changes nothing: none of
these reaches the database as an error (issue 11, item 7), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete

from omniloom.store import tables as t
from tests.support.api import Client, add, events, headers, new_cart
from tests.support.identity import problem
from tests.support.store import ADMIN_KEY, SEA

ADMIN = headers(ADMIN_KEY)


async def test_a_body_that_is_not_utf8_is_malformed(client: Client) -> None:
    before = await events(client)
    sent = await client.post(
        "/v1/carts",
        content=b'{"device_id": "caf\xe9"}',
        headers=headers(**{"Content-Type": "application/json"}),
    )
    assert problem(sent) == (400, "malformed_json")
    assert await events(client) == before


async def test_a_body_that_is_not_json_is_refused_unread(client: Client) -> None:
    before = await events(client)
    for content_type in ("text/plain", "text/html", "multipart/form-data; boundary=x"):
        sent = await client.post(
            "/v1/carts", content=b"{}", headers=headers(**{"Content-Type": content_type})
        )
        assert problem(sent) == (415, "unsupported_media_type"), content_type
    assert await events(client) == before
    # JSON with a charset, a JSON-based type, and what `curl -d` sends are read as JSON.
    for content_type in (
        "application/json; charset=utf-8",
        "application/merge-patch+json",
        "application/x-www-form-urlencoded",
    ):
        sent = await client.post(
            "/v1/carts", content=b"{}", headers=headers(**{"Content-Type": content_type})
        )
        assert sent.status_code == 201, (content_type, sent.text)


async def test_an_if_match_of_thousands_of_digits_is_not_a_version(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG")
    sent = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        json={"sku": "SKU-MUG"},
        headers=headers(**{"If-Match": "9" * 5_000}),
    )
    assert problem(sent) == (422, "invalid_input")
    assert sent.json()["errors"][0]["field"] == "If-Match"
    assert (await client.get(f"/v1/carts/{cart['id']}", headers=headers())).json()["version"] == 2


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/admin/events", "after"),
        ("/v1/admin/stock/movements", "after"),
        ("/v1/touchpoints", "cursor"),
    ],
)
async def test_positions_beyond_any_sequence_are_refused(
    client: Client, path: str, parameter: str
) -> None:
    sent = await client.get(path, params={parameter: "99999999999999999999"}, headers=ADMIN)
    assert sent.status_code in (400, 422), sent.text
    assert sent.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/products", {"q": "mug\x00"}),
        ("/v1/products", {"cursor": "junk\x00"}),
        ("/v1/products", {"cursor": "not-a-cursor"}),
        ("/v1/products/prd_%00mug", {}),
        ("/v1/orders", {"customer_id": "cus_\x00"}),
    ],
)
async def test_nul_bytes_and_junk_cursors_are_refused(
    client: Client, path: str, params: dict[str, str]
) -> None:
    sent = await client.get(path, params=params, headers=ADMIN)
    assert 400 <= sent.status_code < 500, sent.text
    assert sent.headers["content-type"].startswith("application/problem+json")


async def test_a_nul_byte_in_a_body_is_refused(client: Client) -> None:
    before = await events(client)
    sent = await client.post("/v1/carts", json={"device_id": "phone\x00"}, headers=headers())
    assert problem(sent) == (422, "invalid_input")
    assert await events(client) == before


async def test_a_count_where_the_sku_was_never_stocked_opens_its_row(client: Client) -> None:
    runtime: Any = client.app.state["runtime"]

    def unstock(conn: Any) -> None:
        conn.execute(
            delete(t.inventory).where(
                t.inventory.c.sku == "SKU-LAMP", t.inventory.c.location_id == SEA
            )
        )

    await asyncio.to_thread(runtime.db.run_blocking, unstock)
    counted = await client.post(
        "/v1/admin/stock/adjustments",
        json={"sku": "SKU-LAMP", "location": SEA, "counted": 3, "reason": "found in the back"},
        headers=ADMIN,
    )
    assert counted.status_code == 201, counted.text
    product = await client.get("/v1/products/prd_lamp", headers=ADMIN)
    levels = {s["location_id"]: s["available"] for s in product.json()["skus"][0]["stock"]}
    assert levels[SEA] == 3
