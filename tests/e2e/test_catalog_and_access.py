"""Catalog browsing, API keys and scopes, health and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omniloom.config import Settings
from omniloom.store.database import open_database
from tests.support.api import Client, checkout_body, headers
from tests.support.app import app_client
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY, load_mini_store


async def test_browse_pages_with_a_cursor_until_the_end(client: Client) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/products", params=params, headers=headers())).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["prd_lamp", "prd_mug", "prd_tee"]


async def test_search_and_category_filter(client: Client) -> None:
    found = (await client.get("/v1/products", params={"q": "MUG stone"}, headers=headers())).json()
    assert [item["id"] for item in found["items"]] == ["prd_mug"]
    inside_a_word = await client.get("/v1/products", params={"q": "ware"}, headers=headers())
    assert inside_a_word.json()["items"] == []
    home = (
        await client.get("/v1/products", params={"category": "cat_home"}, headers=headers())
    ).json()
    assert [item["id"] for item in home["items"]] == ["prd_lamp", "prd_mug"]
    assert home["items"][0]["price_from"] == 8900
    unknown = await client.get("/v1/products", params={"category": "cat_x"}, headers=headers())
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "category")


async def test_product_detail_shows_stock_by_location(client: Client) -> None:
    product = (await client.get("/v1/products/prd_tee", headers=headers())).json()
    by_sku = {sku["sku"]: sku for sku in product["skus"]}
    assert by_sku["SKU-TEE-M"]["available"] == 13
    assert {s["location_id"]: s["available"] for s in by_sku["SKU-TEE-L"]["stock"]} == {
        "loc_dc_columbus": 0,
        "loc_store_nyc": 1,
        "loc_store_seattle": 2,
    }
    missing = await client.get("/v1/products/prd_nope", headers=headers())
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_product_detail_follows_every_stock_change(client: Client) -> None:
    def tee_l(page: dict[str, Any]) -> dict[str, int]:
        [sku] = [sku for sku in page["skus"] if sku["sku"] == "SKU-TEE-L"]
        return {s["location_id"]: s["available"] for s in sku["stock"]}

    async def page(key: str = WEB_KEY) -> dict[str, Any]:
        response = await client.get("/v1/products/prd_tee", headers=headers(key))
        assert response.status_code == 200, response.text
        shown: dict[str, Any] = response.json()
        return shown

    first = await page()
    assert first == await page()  # read again, unchanged
    cart = (await client.post("/v1/carts", json={}, headers=headers())).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-TEE-L"}, headers=headers())
    ordered = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="pickup", location_id="loc_store_seattle"),
        headers=headers(),
    )
    assert ordered.status_code == 201, ordered.text
    # Every channel's page shows the unit gone, the one read before the sale included.
    for key in (WEB_KEY, MOBILE_KEY):
        assert tee_l(await page(key))["loc_store_seattle"] == 1
    cancelled = await client.post(
        f"/v1/admin/orders/{ordered.json()['id']}/cancel", headers=headers(ADMIN_KEY)
    )
    assert cancelled.status_code == 200, cancelled.text
    assert tee_l(await page()) == tee_l(first)


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [(None, 401, "authentication_required"), ("olk_bogus", 401, "invalid_api_key")],
)
async def test_missing_or_unknown_keys_are_refused(
    client: Client, key: str | None, status: int, code: str
) -> None:
    sent = {} if key is None else {"X-API-Key": key}
    response = await client.get("/v1/products", headers=sent)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("key", [WEB_KEY, MOBILE_KEY])
async def test_storefront_keys_cannot_reach_admin_routes(client: Client, key: str) -> None:
    for method, path in [("GET", "/v1/admin/events"), ("POST", "/v1/admin/clock/freeze")]:
        response = await client.request(method, path, headers=headers(key))
        assert (response.status_code, response.json()["code"]) == (403, "out_of_scope")


async def test_bearer_keys_work_and_admin_reaches_storefront(client: Client) -> None:
    response = await client.get("/v1/products", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert response.status_code == 200


async def test_health_and_openapi(client: Client) -> None:
    health = (await client.get("/health")).json()
    assert health["status"] == "ok"
    spec = (await client.get("/docs/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/carts/{cart_id}/checkout" in spec["paths"]
    body = spec["paths"]["/v1/carts/{cart_id}/lines"]["post"]["requestBody"]
    assert "AddLine" in str(body)


async def _journey_ids(client: Client) -> list[str]:
    cart = (await client.post("/v1/carts", json={}, headers=headers())).json()
    lines = await client.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-LAMP"}, headers=headers()
    )
    order = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json={
            "fulfilment": {"type": "pickup", "location_id": "loc_store_seattle"},
            "payment": {"method": "card", "card_number": "4242424242424242"},
        },
        headers=headers(),
    )
    events = await client.get("/v1/admin/events", headers=headers(ADMIN_KEY))
    return [
        cart["id"],
        lines.json()["lines"][0]["id"],
        order.json()["id"],
        *(event["id"] for event in events.json()["items"]),
    ]


async def test_replaying_the_same_requests_on_a_fresh_store_gives_the_same_ids(
    tmp_path: Path,
) -> None:
    runs = []
    for name in ("first", "replay"):
        url = f"sqlite:///{tmp_path / name}.db"
        db = open_database(url)
        db.reset_schema()
        db.run_blocking(load_mini_store)
        async with app_client(Settings(database_url=url), db) as client:
            runs.append(await _journey_ids(client))
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == len(runs[0]) > 5
