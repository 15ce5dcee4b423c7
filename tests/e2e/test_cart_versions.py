"""Two devices, one cart: a stale version is refused and no line is lost."""

from __future__ import annotations

from tests.support.api import Client, add, headers, new_cart
from tests.support.store import MOBILE_KEY, WEB_KEY


async def test_stale_if_match_is_refused_and_no_line_is_lost(client: Client) -> None:
    cart = await new_cart(client, MOBILE_KEY)
    cart = await add(client, cart["id"], "SKU-TEE-M", 1, MOBILE_KEY)
    phone_view = await client.get(f"/v1/carts/{cart['id']}", headers=headers(MOBILE_KEY))
    laptop_view = await client.get(f"/v1/carts/{cart['id']}", headers=headers(WEB_KEY))
    seen = phone_view.headers["etag"]
    assert seen == laptop_view.headers["etag"] == f'"{cart["version"]}"'

    laptop = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        json={"sku": "SKU-LAMP", "quantity": 1},
        headers=headers(WEB_KEY, **{"If-Match": seen}),
    )
    assert laptop.status_code == 200
    assert laptop.headers["etag"] != seen

    line_id = cart["lines"][0]["id"]
    phone = await client.patch(
        f"/v1/carts/{cart['id']}/lines/{line_id}",
        json={"quantity": 3},
        headers=headers(MOBILE_KEY, **{"If-Match": seen}),
    )
    assert phone.status_code == 412
    assert phone.json()["code"] == "cart_version_conflict"
    assert phone.json()["current_version"] == laptop.json()["version"]

    final = (await client.get(f"/v1/carts/{cart['id']}", headers=headers(WEB_KEY))).json()
    assert {(line["sku"], line["quantity"]) for line in final["lines"]} == {
        ("SKU-TEE-M", 1),
        ("SKU-LAMP", 1),
    }

    retry = await client.patch(
        f"/v1/carts/{cart['id']}/lines/{line_id}",
        json={"quantity": 3},
        headers=headers(MOBILE_KEY, **{"If-Match": f'"{final["version"]}"'}),
    )
    assert retry.status_code == 200
    assert {(line["sku"], line["quantity"]) for line in retry.json()["lines"]} == {
        ("SKU-TEE-M", 3),
        ("SKU-LAMP", 1),
    }


async def test_a_cart_opened_on_another_channel_is_the_same_cart(client: Client) -> None:
    cart = await new_cart(client, MOBILE_KEY, device_id="dev_phone")
    await add(client, cart["id"], "SKU-MUG", 2, MOBILE_KEY)
    await add(client, cart["id"], "SKU-MUG", 1, WEB_KEY)
    seen = (await client.get(f"/v1/carts/{cart['id']}", headers=headers(WEB_KEY))).json()
    assert [(line["sku"], line["quantity"]) for line in seen["lines"]] == [("SKU-MUG", 3)]
    assert seen["subtotal"] == 3 * 1200


async def test_a_cart_answer_is_json_of_the_stated_length_with_its_version(client: Client) -> None:
    cart = await new_cart(client, WEB_KEY)
    added = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        json={"sku": "SKU-TEE-M", "quantity": 2},
        headers=headers(WEB_KEY),
    )
    assert added.status_code == 200
    assert added.headers["content-type"] == "application/json"
    assert int(added.headers["content-length"]) == len(added.content)
    assert added.headers["etag"] == f'"{added.json()["version"]}"'
    assert added.json()["item_count"] == 2
