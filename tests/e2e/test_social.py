"""Social commerce: posts, clicks that are product views, and in-platform orders on the same
stock as every other channel."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, events, headers, stock, verified
from tests.support.store import ADMIN_KEY, DC, WEB_KEY

SOCIAL_KEY = "olk_social_demo"
ADA = "cus_000001"
SHIP_TO = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "New York",
    "postal_code": "10001",
    "country": "US",
}
CARD = {"method": "card", "card_number": "4242424242424242"}


async def _post(client: Client) -> dict[str, Any]:
    response = await client.post(
        "/v1/social/posts",
        json={"platform": "instagram", "caption": "Morning coffee", "product_ids": ["prd_mug"]},
        headers=headers(SOCIAL_KEY),
    )
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()
    return post


async def test_a_click_from_a_post_is_a_product_view_with_the_post_as_campaign(
    client: Client,
) -> None:
    post = await _post(client)
    click = await client.post(
        f"/v1/social/posts/{post['id']}/clicks",
        json={"product_id": "prd_mug"},
        headers=headers(SOCIAL_KEY, **{"X-Device-Id": "ig-app-9"}),
    )
    assert click.status_code == 200, click.text
    touches = (
        await client.get(
            "/v1/touchpoints", params={"type": "catalog.product_viewed"}, headers=headers(ADMIN_KEY)
        )
    ).json()["items"]
    assert [(t["channel"], t["product_id"], t["device_id"]) for t in touches] == [
        ("social", "prd_mug", "ig-app-9")
    ]
    assert touches[0]["campaign"] == {
        "source": "instagram",
        "medium": "social",
        "campaign": post["id"],
        "content": "prd_mug",
    }
    untagged = await client.post(
        f"/v1/social/posts/{post['id']}/clicks",
        json={"product_id": "prd_lamp"},
        headers=headers(SOCIAL_KEY),
    )
    assert (untagged.status_code, untagged.json()["errors"][0]["field"]) == (422, "product_id")


async def test_an_in_platform_order_takes_the_stock_web_and_stores_see(client: Client) -> None:
    linked = await client.post(
        "/v1/identify",
        json={"kind": "social_handle", "value": "@ada.codes", "customer_id": ADA},
        headers=headers(ADMIN_KEY),
    )
    assert linked.status_code == 200, linked.text
    post = await _post(client)
    before = await stock(client, "prd_mug", "SKU-MUG")

    order = await client.post(
        "/v1/social/orders",
        json={
            "platform": "instagram",
            "handle": "@Ada.Codes",
            "post_id": post["id"],
            "items": [{"sku": "SKU-MUG", "quantity": 2}],
            "ship_to": SHIP_TO,
            "payment": CARD,
        },
        headers=headers(SOCIAL_KEY),
    )

    assert order.status_code == 201, order.text
    placed = order.json()
    assert (placed["channel"], placed["customer_id"], placed["status"]) == ("social", ADA, "paid")
    after_web = (await client.get("/v1/products/prd_mug", headers=headers(WEB_KEY))).json()
    web_mug = next(s for s in after_web["skus"] if s["sku"] == "SKU-MUG")
    assert web_mug["available"] == sum(before.values()) - 2
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == before[DC] - 2
    journey = (await client.get(f"/v1/customers/{ADA}/journey", headers=headers(ADMIN_KEY))).json()
    placed_touch = next(t for t in journey["touchpoints"] if t["type"] == "order.placed")
    assert placed_touch["campaign"]["campaign"] == post["id"]
    assert [e["type"] for e in await events(client, order_id=placed["id"])][-1] == (
        "social.order_placed"
    )
    await verified(client)


async def test_a_bad_social_order_changes_nothing(client: Client) -> None:
    before = await stock(client, "prd_mug", "SKU-MUG")
    order = await client.post(
        "/v1/social/orders",
        json={
            "platform": "instagram",
            "handle": "@nobody",
            "items": [{"sku": "SKU-MUG", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
            "ship_to": SHIP_TO,
            "payment": CARD,
        },
        headers=headers(SOCIAL_KEY),
    )
    assert order.status_code == 422
    assert order.json()["errors"][0]["field"] == "items[1].sku"
    assert await stock(client, "prd_mug", "SKU-MUG") == before
    assert [e for e in await events(client) if e["type"].startswith(("cart.", "order."))] == []


async def test_a_cart_link_opens_the_same_cart(client: Client) -> None:
    cart = (await client.post("/v1/carts", json={}, headers=headers(WEB_KEY))).json()
    links = await client.post(
        f"/v1/carts/{cart['id']}/links", json={"via": "dm"}, headers=headers(SOCIAL_KEY)
    )
    assert links.status_code == 200
    # The link carries the cart's token: whoever opens it may use the cart.
    opens = f"{cart['id']}?cart_token={cart['cart_token']}"
    assert links.json()["web_url"] == f"https://shop.omniloom.test/cart/{opens}"
    assert links.json()["app_url"] == f"omniloom://cart/{opens}"
    shared = [e for e in await events(client) if e["type"] == "cart.link_shared"]
    assert [(e["channel"], e["data"]["via"]) for e in shared] == [("social", "dm")]


async def test_only_the_social_channel_publishes_and_sells_in_platform(client: Client) -> None:
    for key in (WEB_KEY, "olk_mobile_demo", "olk_pos_nyc_demo"):
        response = await client.post(
            "/v1/social/posts",
            json={"platform": "tiktok", "caption": "x", "product_ids": ["prd_mug"]},
            headers=headers(key),
        )
        assert (response.status_code, response.json()["code"]) == (403, "out_of_scope"), key
    assert (await _post(client))["platform"] == "instagram"
