"""Nobody reaches what is not theirs (issue 11): each attack tried as a stranger with a public
storefront key and an id, refused; the shopper holding the cart's or order's token, the owner's
customer token, the till and the back office still get through."""

from __future__ import annotations

from typing import Any

from tests.support.api import (
    SHIP_TO,
    Client,
    add,
    checkout_body,
    events,
    headers,
    new_cart,
    placed_order,
    verified,
)
from tests.support.identity import as_customer, new_customer, problem
from tests.support.store import ADMIN_KEY, MOBILE_KEY, POS_KEY, WEB_KEY
from tests.support.wallet import forgetful

ADMIN = headers(ADMIN_KEY)
THIEF_ADDRESS = {**SHIP_TO, "name": "Mallory", "line1": "1 Elsewhere Road"}


async def test_an_order_is_read_only_with_its_token_or_by_its_owner(client: Client) -> None:
    guest = await placed_order(client, "SKU-MUG")
    assert guest["order_token"].startswith("ot_")
    customer_id, token = await new_customer(client, "grace@example.com")
    cart = await new_cart(client, customer_id=customer_id, customer_token=token)
    await add(client, cart["id"], "SKU-LAMP")
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    own = placed.json()
    _, stranger_token = await new_customer(client, "mallory@example.com")

    with forgetful(client):
        for order in (guest, own):
            bare = await client.get(f"/v1/orders/{order['id']}", headers=headers())
            assert problem(bare) == (404, "order_not_found")
            assert "Lovelace" not in bare.text
            other = await client.get(
                f"/v1/orders/{order['id']}", headers=as_customer(stranger_token)
            )
            assert problem(other) == (404, "order_not_found")
        # A made-up id is answered exactly like a real one without proof.
        made_up = await client.get("/v1/orders/ord_000000000001", headers=headers())
        assert problem(made_up) == problem(bare)
        assert made_up.json()["title"] == bare.json()["title"]

        by_token = await client.get(
            f"/v1/orders/{guest['id']}", headers=headers(**{"X-Order-Token": guest["order_token"]})
        )
        assert by_token.status_code == 200 and by_token.json()["email"] == guest["email"]
        by_owner = await client.get(f"/v1/orders/{own['id']}", headers=as_customer(token))
        assert by_owner.status_code == 200
        assert (await client.get(f"/v1/orders/{guest['id']}", headers=ADMIN)).status_code == 200


async def test_a_bare_cart_id_reaches_nothing(client: Client) -> None:
    customer_id, token = await new_customer(client, "grace@example.com")
    cart = await new_cart(client, customer_id=customer_id, customer_token=token)
    await add(client, cart["id"], "SKU-MUG")
    anonymous = await new_cart(client)
    _, stranger_token = await new_customer(client, "mallory@example.com")
    before = await events(client)

    with forgetful(client):
        for victim in (cart, anonymous):
            path = f"/v1/carts/{victim['id']}"
            for sent in (headers(), as_customer(stranger_token)):
                attempts = [
                    await client.get(path, headers=sent),
                    await client.post(f"{path}/lines", json={"sku": "SKU-MUG"}, headers=sent),
                    await client.post(f"{path}/links", json={"via": "dm"}, headers=sent),
                    await client.post(
                        f"{path}/checkout",
                        json=checkout_body(type="ship", address=THIEF_ADDRESS),
                        headers=sent,
                    ),
                    await client.post(
                        "/v1/pos/handoff-codes", json={"cart_id": victim["id"]}, headers=sent
                    ),
                ]
                for attempt in attempts:
                    assert problem(attempt) == (404, "cart_not_found"), attempt.request.url
        assert await events(client) == before

        # The cart's token, the owner's token and the back office get through.
        mine = headers(**{"X-Cart-Token": anonymous["cart_token"]})
        assert (await client.get(f"/v1/carts/{anonymous['id']}", headers=mine)).status_code == 200
        assert (await client.get(f"/v1/carts/{cart['id']}", headers=as_customer(token))).json()[
            "lines"
        ]
        assert (await client.get(f"/v1/carts/{cart['id']}", headers=ADMIN)).status_code == 200
        code = await client.post(
            "/v1/pos/handoff-codes", json={"cart_id": cart["id"]}, headers=as_customer(token)
        )
        assert code.status_code == 201, code.text
    await verified(client)


async def test_identify_without_proof_takes_over_nothing(client: Client) -> None:
    victim_id, victim_token = await new_customer(client, "grace@example.com")
    victims = await new_cart(client, customer_id=victim_id, customer_token=victim_token)
    await add(client, victims["id"], "SKU-MUG")
    attackers = await new_cart(client, MOBILE_KEY, device_id="attacker-phone")
    await add(client, attackers["id"], "SKU-LAMP", key=MOBILE_KEY)

    claimed = await client.post(
        "/v1/identify",
        json={
            "kind": "email",
            "value": "grace@example.com",
            "cart_id": attackers["id"],
            "device_id": "attacker-phone",
        },
        headers=headers(MOBILE_KEY),
    )

    assert claimed.status_code == 200, claimed.text
    assert claimed.json() == {
        "customer_id": None,
        "kind": "email",
        "value": "grace@example.com",
        "status": "claimed",
        "merge": None,
    }
    theirs = await client.get(f"/v1/carts/{victims['id']}", headers=as_customer(victim_token))
    assert [line["sku"] for line in theirs.json()["lines"]] == ["SKU-MUG"]
    graph = await client.get(
        f"/v1/customers/{victim_id}/identifiers", headers=as_customer(victim_token)
    )
    assert "attacker-phone" not in graph.text
    journey = await client.get(f"/v1/customers/{victim_id}/journey", headers=ADMIN)
    assert "attacker-phone" not in journey.text
    assert [
        e["data"]["claimed_customer_id"]
        for e in await events(client)
        if e["type"] == ("customer.identity_claimed")
    ] == [victim_id]


async def test_a_cart_for_a_customer_needs_their_token(client: Client) -> None:
    victim_id, victim_token = await new_customer(client, "grace@example.com")
    _, stranger_token = await new_customer(client, "mallory@example.com")
    body = {"customer_id": victim_id}

    bare = await client.post("/v1/carts", json=body, headers=headers())
    assert problem(bare) == (401, "customer_token_required")
    other = await client.post("/v1/carts", json=body, headers=as_customer(stranger_token))
    assert problem(other) == (403, "not_your_data")
    own = await client.post("/v1/carts", json=body, headers=as_customer(victim_token))
    assert own.status_code == 201 and own.json()["customer_id"] == victim_id
    # An id nobody has is refused by name, not by the database.
    unknown = await client.post("/v1/carts", json={"customer_id": "cus_nobody"}, headers=ADMIN)
    assert problem(unknown) == (422, "invalid_input")
    assert unknown.json()["errors"][0]["field"] == "customer_id"


async def fulfilled_guest_order(client: Client) -> dict[str, Any]:
    order = await placed_order(client, "SKU-MUG")
    done = await client.post(f"/v1/admin/orders/{order['id']}/fulfil", headers=ADMIN)
    assert done.status_code == 200, done.text
    return order


async def test_store_credit_only_to_whoever_proves_the_order(client: Client) -> None:
    order = await fulfilled_guest_order(client)
    line = order["lines"][0]["id"]
    body = {
        "order_id": order["id"],
        "lines": [{"order_line_id": line}],
        "refund_to": "store_credit",
    }
    _, stranger_token = await new_customer(client, "mallory@example.com")

    with forgetful(client):
        for sent in (headers(), as_customer(stranger_token)):
            refused = await client.post("/v1/returns", json=body, headers=sent)
            assert problem(refused) == (404, "order_not_found")
        assert [e for e in await events(client) if e["type"] == "order.returned"] == []
        proven = await client.post(
            "/v1/returns",
            json=body,
            headers=headers(**{"X-Order-Token": order["order_token"]}),
        )
    assert proven.status_code == 201, proven.text
    assert proven.json()["store_credit_code"]
    await verified(client)


async def test_the_till_and_the_back_office_need_no_shopper_proof(client: Client) -> None:
    order = await fulfilled_guest_order(client)
    line = order["lines"][0]["id"]
    with forgetful(client):
        at_till = await client.post(
            "/v1/returns",
            json={"order_id": order["id"], "lines": [{"order_line_id": line}]},
            headers=headers(POS_KEY),
        )
        assert at_till.status_code == 201, at_till.text
        cart = await new_cart(client, WEB_KEY)
        assert (await client.get(f"/v1/carts/{cart['id']}", headers=ADMIN)).status_code == 200
