"""Channel-scoped promotions: buy one get one in the e-shop while the stores run 20 % off,
next to a promotion valid everywhere; the best one wins per line, and orders keep it."""

from __future__ import annotations

from typing import Any

import pytest

from omniloom.domain.money import tax_on
from tests.support.api import Client, add, checkout_body, headers, new_cart, verified
from tests.support.pos import new_sale, open_shift, pay, scan
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

ADMIN = headers(ADMIN_KEY)
MUG, LAMP, TEE = 1200, 8900, 2500


async def promote(client: Client, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/admin/promotions", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    promotion: dict[str, Any] = response.json()
    return promotion


@pytest.fixture
async def promotions(client: Client) -> dict[str, str]:
    bogo = await promote(
        client,
        name="E-shop: buy one get one free on home",
        kind="buy_x_get_y",
        buy=1,
        get=1,
        channels=["web"],
        category_id="cat_home",
    )
    stores = await promote(
        client,
        name="Stores: 20 % off home",
        kind="percent_off",
        percent_off=20,
        channels=["pos"],
        category_id="cat_home",
    )
    everywhere = await promote(
        client, name="Everywhere: 10 % off", kind="percent_off", percent_off=10
    )
    return {"bogo": bogo["id"], "stores": stores["id"], "everywhere": everywhere["id"]}


async def test_each_channel_gets_its_own_promotions(
    client: Client, promotions: dict[str, str]
) -> None:
    web = await new_cart(client, WEB_KEY)
    await add(client, web["id"], "SKU-MUG", 2, WEB_KEY)
    web_cart = await add(client, web["id"], "SKU-TEE-M", 1, WEB_KEY)
    lines = {line["sku"]: line for line in web_cart["lines"]}
    assert (lines["SKU-MUG"]["discount"], lines["SKU-MUG"]["promotion_id"]) == (
        MUG,
        promotions["bogo"],
    )
    assert (lines["SKU-TEE-M"]["discount"], lines["SKU-TEE-M"]["promotion_id"]) == (
        TEE // 10,
        promotions["everywhere"],
    )
    assert web_cart["subtotal"] == 2 * MUG - MUG + TEE - TEE // 10

    # One mug alone: BOGO gives nothing, so 10 % everywhere is the better deal.
    single = await new_cart(client, WEB_KEY)
    one = (await add(client, single["id"], "SKU-MUG", 1, WEB_KEY))["lines"][0]
    assert (one["discount"], one["promotion_id"]) == (MUG // 10, promotions["everywhere"])

    # The app gets no BOGO: only the promotion valid everywhere.
    app = await new_cart(client, MOBILE_KEY)
    app_line = (await add(client, app["id"], "SKU-MUG", 2, MOBILE_KEY))["lines"][0]
    assert (app_line["discount"], app_line["promotion_id"]) == (
        2 * MUG // 10,
        promotions["everywhere"],
    )

    # The store: 20 % off home beats 10 % everywhere.
    await open_shift(client)
    sale = await new_sale(client)
    scanned = await scan(client, sale["cart_id"], "SKU-LAMP", 1)
    lamp = scanned["lines"][0]
    assert (lamp["discount"], lamp["promotion_id"]) == (LAMP // 5, promotions["stores"])
    assert lamp["line_total"] == LAMP - LAMP // 5


async def test_an_order_keeps_the_promotion_it_was_placed_with(
    client: Client, promotions: dict[str, str]
) -> None:
    cart = await new_cart(client, WEB_KEY)
    await add(client, cart["id"], "SKU-MUG", 3, WEB_KEY)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers(WEB_KEY)
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    line = order["lines"][0]
    # Buy one get one on three mugs: one free.
    assert (line["discount"], line["promotion_id"], line["line_total"]) == (
        MUG,
        promotions["bogo"],
        2 * MUG,
    )
    assert order["subtotal"] == 2 * MUG
    assert order["tax"] == tax_on(2 * MUG, 0)  # shipped from the DC, untaxed in the mini store
    stored = (await client.get(f"/v1/orders/{order['id']}", headers=ADMIN)).json()
    assert stored["lines"] == order["lines"]
    await verified(client)


async def test_a_store_sale_is_paid_at_the_promoted_price(
    client: Client, promotions: dict[str, str]
) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    view = await scan(client, sale["cart_id"], "SKU-LAMP", 2)
    promoted = 2 * LAMP - 2 * LAMP // 5
    assert view["total"] == promoted + tax_on(promoted, 888)
    card = {"type": "card", "card_number": "4242424242424242", "amount": view["total"]}
    paid = await pay(client, sale["cart_id"], card)
    assert paid.status_code == 201, paid.text
    await verified(client)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "percent_off", "percent_off": 150}, "percent_off"),
        ({"name": "x", "kind": "percent_off"}, "percent_off"),
        ({"name": "x", "kind": "buy_x_get_y", "buy": 1}, "get"),
        (
            {"name": "x", "kind": "percent_off", "percent_off": 5, "category_id": "cat_x"},
            "category_id",
        ),
        (
            {"name": "x", "kind": "percent_off", "percent_off": 5, "channels": ["admin"]},
            "channels[0]",
        ),
        ({"name": "x", "kind": "half_price"}, "kind"),
    ],
)
async def test_bad_promotions_name_the_field(
    client: Client, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/admin/promotions", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get("/v1/admin/promotions", headers=ADMIN)).json() == []
