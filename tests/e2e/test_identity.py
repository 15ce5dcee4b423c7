"""Identity: accounts, tokens on the simulated clock, the identity graph, and cart merges."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import Client, add, checkout_body, events, headers, new_cart, stock, verified
from tests.support.app import ClientWith
from tests.support.identity import PASSWORD, as_customer, new_customer, problem, register, sign_in
from tests.support.store import ADMIN_KEY, DC, MOBILE_KEY, POS_KEY, WEB_KEY
from tests.support.wallet import forgetful

ADMIN = headers(ADMIN_KEY)
MUG_AT_DC = 37


@pytest.fixture
async def holding(client_with: ClientWith) -> AsyncIterator[AsyncTestClient]:
    """A store that holds stock when a line is added, so merges must move the holds."""
    async with client_with(reservation_policy="add_to_cart") as test_client:
        yield test_client


# --- Accounts and tokens -----------------------------------------------------------------------


async def test_register_sign_in_and_sign_out(client: Client) -> None:
    registered = await register(client, "Grace@Example.com", phone="+1 (555) 010-9999")
    customer = registered["customer"]
    assert customer["email"] == "grace@example.com"
    assert customer["phone"] == "+15550109999"
    assert registered["linked_orders"] == []

    again = await client.post(
        "/v1/customers",
        json={
            "email": "grace@EXAMPLE.com",
            "password": PASSWORD,
            "first_name": "G",
            "last_name": "H",
        },
        headers=headers(),
    )
    assert problem(again) == (409, "identifier_taken")
    short = await client.post(
        "/v1/customers",
        json={"email": "x@example.com", "password": "short", "first_name": "X", "last_name": "Y"},
        headers=headers(),
    )
    assert short.status_code == 422

    wrong = await client.post(
        "/v1/sessions", json={"email": "grace@example.com", "password": "nope"}, headers=headers()
    )
    assert problem(wrong) == (401, "invalid_credentials")
    unknown = await client.post(
        "/v1/sessions", json={"email": "who@example.com", "password": PASSWORD}, headers=headers()
    )
    assert problem(unknown) == (401, "invalid_credentials")

    session = await sign_in(client, "GRACE@example.com")
    assert session["customer_id"] == customer["id"]
    assert session["merge"] is None
    me = await client.get(f"/v1/customers/{customer['id']}", headers=as_customer(session["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["first_name"] == "Grace"

    out = await client.delete("/v1/sessions/current", headers=as_customer(session["token"]))
    assert out.status_code == 204
    after = await client.get(
        f"/v1/customers/{customer['id']}", headers=as_customer(session["token"])
    )
    assert problem(after) == (401, "invalid_token")
    assert len(await events(client, type="customer.signed_out")) == 1


async def test_token_expires_on_the_simulated_clock(client: Client) -> None:
    customer_id, token = await new_customer(client, "grace@example.com")
    session = await client.get(f"/v1/customers/{customer_id}", headers=as_customer(token))
    assert session.status_code == 200

    almost = await client.post(
        "/v1/admin/clock/advance", json={"days": 6, "hours": 23}, headers=ADMIN
    )
    assert almost.status_code == 200
    assert (
        await client.get(f"/v1/customers/{customer_id}", headers=as_customer(token))
    ).status_code == 200

    await client.post("/v1/admin/clock/advance", json={"hours": 1}, headers=ADMIN)
    expired = await client.get(f"/v1/customers/{customer_id}", headers=as_customer(token))
    assert problem(expired) == (401, "token_expired")
    # Signing in again gives a token that works from the new "now".
    fresh = (await sign_in(client, "grace@example.com"))["token"]
    assert (
        await client.get(f"/v1/customers/{customer_id}", headers=as_customer(fresh))
    ).status_code == 200


async def test_guest_orders_are_linked_when_the_account_is_created(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 1)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json={**checkout_body(), "email": "Grace@Example.com"},
        headers=headers(),
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    assert placed.json()["customer_id"] is None

    registered = await register(client, "grace@example.com")
    customer_id = registered["customer"]["id"]
    assert registered["linked_orders"] == [order_id]
    token = (await sign_in(client, "grace@example.com"))["token"]
    mine = await client.get(f"/v1/customers/{customer_id}/orders", headers=as_customer(token))
    assert mine.status_code == 200, mine.text
    assert [order["id"] for order in mine.json()["items"]] == [order_id]
    assert mine.json()["items"][0]["customer_id"] == customer_id
    linked = await events(client, type="customer.guest_orders_linked")
    assert [(e["customer_id"], e["data"]["order_ids"]) for e in linked] == [
        (customer_id, [order_id])
    ]


async def test_customer_a_cannot_read_customer_b(client: Client) -> None:
    a_id, a_token = await new_customer(client, "a@example.com")
    b_id, _ = await new_customer(client, "b@example.com")
    for path in (
        f"/v1/customers/{b_id}",
        f"/v1/customers/{b_id}/orders",
        f"/v1/customers/{b_id}/identifiers",
    ):
        refused = await client.get(path, headers=as_customer(a_token))
        assert problem(refused) == (403, "not_your_data"), path
        anonymous = await client.get(path, headers=headers())
        assert problem(anonymous) == (401, "customer_token_required"), path
        assert (await client.get(path, headers=ADMIN)).status_code == 200, path
    assert (
        await client.get(f"/v1/customers/{a_id}/orders", headers=as_customer(a_token))
    ).status_code == 200

    # Carts and journeys too: B's cart and B's journey are B's alone.
    b_cart = (await client.post("/v1/carts", json={"customer_id": b_id}, headers=ADMIN)).json()
    for method, path, body in (
        ("GET", f"/v1/carts/{b_cart['id']}", None),
        ("POST", f"/v1/carts/{b_cart['id']}/lines", {"sku": "SKU-MUG"}),
        ("POST", f"/v1/carts/{b_cart['id']}/links", {}),
        ("GET", f"/v1/customers/{b_id}/journey", None),
        ("GET", "/v1/orders", None),
    ):
        params = {"customer_id": b_id} if path == "/v1/orders" else None
        refused = await client.request(
            method, path, json=body, params=params, headers=as_customer(a_token)
        )
        assert problem(refused) == (403, "not_your_data"), path
    taken = await client.post("/v1/carts", json={"customer_id": b_id}, headers=as_customer(a_token))
    assert problem(taken) == (403, "not_your_data")
    own = (await client.post("/v1/carts", json={}, headers=as_customer(a_token))).json()
    assert own["customer_id"] == a_id
    journey = await client.get(f"/v1/customers/{a_id}/journey", headers=as_customer(a_token))
    assert journey.status_code == 200
    b_view = (await client.get(f"/v1/carts/{b_cart['id']}", headers=ADMIN)).json()
    assert b_view["lines"] == [] and b_view["version"] == b_cart["version"]


# --- Identify and the identity graph -----------------------------------------------------------


async def test_identify_attaches_recognises_and_refuses_conflicts(client: Client) -> None:
    a_id, a_token = await new_customer(client, "a@example.com")
    b_id, b_token = await new_customer(client, "b@example.com")

    attached = await client.post(
        "/v1/identify",
        json={"kind": "phone", "value": "+1 555 0123 456"},
        headers=as_customer(a_token),
    )
    assert attached.status_code == 200, attached.text
    assert (attached.json()["customer_id"], attached.json()["status"]) == (a_id, "attached")
    again = await client.post(
        "/v1/identify",
        json={"kind": "phone", "value": "+15550123456", "customer_id": a_id},
        headers=as_customer(a_token),
    )
    assert again.json()["status"] == "known"

    # Another customer claiming A's phone or email: a clear conflict, never a silent merge.
    for kind, value in (("phone", "+1-555-0123-456"), ("email", "A@example.com")):
        conflict = await client.post(
            "/v1/identify", json={"kind": kind, "value": value}, headers=as_customer(b_token)
        )
        assert problem(conflict) == (409, "identifier_conflict"), kind
        assert conflict.json()["kind"] == kind

    # At the till: recognised by the identifier alone.
    recognised = await client.post(
        "/v1/identify", json={"kind": "phone", "value": "+15550123456"}, headers=headers(POS_KEY)
    )
    assert (recognised.json()["customer_id"], recognised.json()["status"]) == (a_id, "recognised")
    seeded = await client.post(
        "/v1/identify", json={"kind": "email", "value": "ADA@example.com"}, headers=headers(POS_KEY)
    )
    assert seeded.json()["customer_id"] == "cus_000001"
    unknown = await client.post(
        "/v1/identify", json={"kind": "loyalty_id", "value": "L-404"}, headers=headers(POS_KEY)
    )
    assert problem(unknown) == (404, "not_found")
    # In an app without a token it is only the shopper's word: the same answer, known or not.
    for value in ("+15550123456", "+15550999999"):
        claimed = await client.post(
            "/v1/identify", json={"kind": "phone", "value": value}, headers=headers(MOBILE_KEY)
        )
        assert claimed.status_code == 200, claimed.text
        assert (claimed.json()["customer_id"], claimed.json()["status"]) == (None, "claimed")
    bad = await client.post(
        "/v1/identify", json={"kind": "phone", "value": "12"}, headers=headers()
    )
    assert problem(bad) == (422, "invalid_input")

    # Attaching to somebody else's customer id needs their token (or an admin key).
    body = {"kind": "loyalty_id", "value": "l-42", "customer_id": a_id}
    assert problem(await client.post("/v1/identify", json=body, headers=headers())) == (
        401,
        "customer_token_required",
    )
    assert problem(await client.post("/v1/identify", json=body, headers=as_customer(b_token))) == (
        403,
        "not_your_data",
    )
    by_admin = await client.post("/v1/identify", json=body, headers=ADMIN)
    assert by_admin.json()["status"] == "attached"
    handle = await client.post(
        "/v1/identify",
        json={"kind": "social_handle", "value": "@GraceH"},
        headers=as_customer(b_token),
    )
    assert handle.json()["value"] == "graceh"

    graph = await client.get(f"/v1/customers/{a_id}/identifiers", headers=as_customer(a_token))
    assert graph.status_code == 200, graph.text
    assert {(i["kind"], i["value"]) for i in graph.json()["identifiers"]} == {
        ("email", "a@example.com"),
        ("phone", "+15550123456"),
        ("loyalty_id", "L-42"),
    }
    b_graph = (await client.get(f"/v1/customers/{b_id}/identifiers", headers=ADMIN)).json()
    assert {i["kind"] for i in b_graph["identifiers"]} == {"email", "social_handle"}


async def test_identify_brings_the_devices_anonymous_cart_along(holding: Client) -> None:
    client = holding
    customer_id, token = await new_customer(client, "grace@example.com")
    mine = await new_cart(client, customer_id=customer_id)
    await add(client, mine["id"], "SKU-MUG", 1)
    kiosk = headers(MOBILE_KEY, **{"X-Device-Id": "kiosk-7"})
    # The kiosk registered: its device token (kept by the client) proves it is the kiosk.
    await client.post("/v1/devices", json={"id": "kiosk-7", "platform": "web"}, headers=kiosk)
    guest = (await client.post("/v1/carts", json={"device_id": "kiosk-7"}, headers=kiosk)).json()
    await client.post(f"/v1/carts/{guest['id']}/lines", json={"sku": "SKU-MUG"}, headers=kiosk)

    # Typing an email at the kiosk is only a claim: nothing merges, nobody is named.
    claimed = await client.post(
        "/v1/identify", json={"kind": "email", "value": "grace@example.com"}, headers=kiosk
    )
    assert (claimed.json()["customer_id"], claimed.json()["merge"]) == (None, None)
    assert quantities((await client.get(f"/v1/carts/{guest['id']}", headers=kiosk)).json()) == {
        "SKU-MUG": 1
    }
    # Signed in on the kiosk (the customer's token): recognised, the kiosk cart joins theirs.
    identified = await client.post(
        "/v1/identify",
        json={"kind": "email", "value": "grace@example.com", "merge": "max"},
        headers={**kiosk, "X-Customer-Token": token},
    )
    assert identified.status_code == 200, identified.text
    body = identified.json()
    assert (body["customer_id"], body["status"]) == (customer_id, "known")
    assert body["merge"]["report"]["outcome"] == "merged"
    assert quantities(body["merge"]["cart"]) == {"SKU-MUG": 1}
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - 1
    graph = await client.get(f"/v1/customers/{customer_id}/identifiers", headers=as_customer(token))
    assert ("device_id", "kiosk-7") in [
        (i["kind"], i["value"]) for i in graph.json()["identifiers"]
    ]
    await verified(client)


# --- Cart merge on sign-in ---------------------------------------------------------------------


async def carts_for_merge(client: Client, customer_id: str) -> tuple[str, str]:
    """The customer's cart (2 mugs, 1 tee) and a guest cart (3 mugs, 1 lamp)."""
    mine = await new_cart(client, customer_id=customer_id)
    await add(client, mine["id"], "SKU-MUG", 2)
    await add(client, mine["id"], "SKU-TEE-M", 1)
    guest = await new_cart(client, MOBILE_KEY, device_id="dev-phone")
    await add(client, guest["id"], "SKU-MUG", 3, MOBILE_KEY)
    await add(client, guest["id"], "SKU-LAMP", 1, MOBILE_KEY)
    return mine["id"], guest["id"]


def quantities(cart: dict[str, Any]) -> dict[str, int]:
    return {line["sku"]: line["quantity"] for line in cart["lines"]}


@pytest.mark.parametrize(
    ("strategy", "mugs"), [("sum", 5), ("max", 3), ("guest_wins", 3), ("customer_wins", 2)]
)
async def test_merge_when_both_carts_hold_the_same_sku(
    holding: Client, strategy: str, mugs: int
) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    mine, guest = await carts_for_merge(client, customer_id)
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - 5

    session = await sign_in(client, "grace@example.com", cart_id=guest, merge=strategy)
    merge = session["merge"]
    assert merge["report"]["outcome"] == "merged"
    assert (merge["report"]["cart_id"], merge["report"]["strategy"]) == (mine, strategy)
    cart = merge["cart"]
    assert cart["id"] == mine
    assert cart["version"] == 4  # created, two adds, the merge
    assert quantities(cart) == {"SKU-MUG": mugs, "SKU-TEE-M": 1, "SKU-LAMP": 1}
    read = (await client.get(f"/v1/carts/{mine}", headers=headers())).json()
    assert read == cart
    old = (await client.get(f"/v1/carts/{guest}", headers=headers())).json()
    assert old["status"] == "merged"
    # Exactly the merged quantities are held: nothing leaked, nothing held twice.
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - mugs
    assert len(await events(client, type="cart.merged")) == 1
    await verified(client)

    late_add = await client.post(
        f"/v1/carts/{guest}/lines", json={"sku": "SKU-MUG"}, headers=headers(MOBILE_KEY)
    )
    assert problem(late_add) == (409, "cart_not_active")


async def test_merge_of_an_empty_guest_cart_keeps_the_customer_cart(holding: Client) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    mine = await new_cart(client, customer_id=customer_id)
    await add(client, mine["id"], "SKU-MUG", 2)
    guest = await new_cart(client, MOBILE_KEY)

    merge = (await sign_in(client, "grace@example.com", cart_id=guest["id"]))["merge"]
    assert merge["report"]["outcome"] == "merged"
    assert quantities(merge["cart"]) == {"SKU-MUG": 2}
    assert merge["cart"]["version"] == 3
    assert (await client.get(f"/v1/carts/{guest['id']}", headers=headers())).json()[
        "status"
    ] == "merged"
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - 2
    await verified(client)


async def test_guest_cart_becomes_the_customers_when_they_have_none(holding: Client) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    app = headers(MOBILE_KEY, **{"X-Device-Id": "dev-phone"})
    await client.post("/v1/devices", json={"id": "dev-phone", "platform": "ios"}, headers=app)
    guest = await new_cart(client, MOBILE_KEY, device_id="dev-phone")
    await add(client, guest["id"], "SKU-MUG", 4, MOBILE_KEY)

    # Found by the device id the app sends with every request, proved by its device token.
    response = await client.post(
        "/v1/sessions",
        json={"email": "grace@example.com", "password": PASSWORD},
        headers=headers(MOBILE_KEY, **{"X-Device-Id": "dev-phone"}),
    )
    assert response.status_code == 201, response.text
    merge = response.json()["merge"]
    assert merge["report"]["outcome"] == "adopted"
    assert (merge["cart"]["id"], merge["cart"]["customer_id"]) == (guest["id"], customer_id)
    assert merge["cart"]["status"] == "active"
    assert quantities(merge["cart"]) == {"SKU-MUG": 4}
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - 4
    token = response.json()["token"]
    graph = await client.get(f"/v1/customers/{customer_id}/identifiers", headers=as_customer(token))
    assert ("device_id", "dev-phone") in [
        (i["kind"], i["value"]) for i in graph.json()["identifiers"]
    ]
    assert len(await events(client, type="cart.claimed")) == 1
    await verified(client)


async def test_a_stranger_who_knows_a_device_id_gets_none_of_its_carts(holding: Client) -> None:
    client = holding
    phone = headers(MOBILE_KEY, **{"X-Device-Id": "dev-ada-phone"})
    await client.post("/v1/devices", json={"id": "dev-ada-phone", "platform": "ios"}, headers=phone)
    on_phone = await new_cart(client, MOBILE_KEY, device_id="dev-ada-phone")
    await add(client, on_phone["id"], "SKU-MUG", 2, MOBILE_KEY)
    # A browser that never registered: its id is all a stranger needs to name it.
    on_browser = await new_cart(client, device_id="web-ada")
    await add(client, on_browser["id"], "SKU-LAMP")
    ada_id = (await register(client, "ada.l@example.com"))["customer"]["id"]
    mallory_id, mallory = await new_customer(client, "mallory@example.com")

    with forgetful(client):
        for device in ("dev-ada-phone", "web-ada"):
            by_header = await client.post(
                "/v1/sessions",
                json={"email": "mallory@example.com", "password": PASSWORD},
                headers=headers(MOBILE_KEY, **{"X-Device-Id": device}),
            )
            by_body = await sign_in(client, "mallory@example.com", device_id=device)
            identified = await client.post(
                "/v1/identify",
                json={"kind": "email", "value": "mallory@example.com", "device_id": device},
                headers=as_customer(mallory),
            )
            assert by_header.status_code == 201, by_header.text
            assert identified.status_code == 200, identified.text
            # The same answer as for a device that has no cart at all.
            assert by_header.json()["merge"] is by_body["merge"] is None
            assert identified.json()["merge"] is None
            # Attaching the device to Mallory's graph needs the device's proof.
            attach = await client.post(
                "/v1/identify",
                json={"kind": "device_id", "value": device},
                headers=as_customer(mallory, MOBILE_KEY),
            )
            assert problem(attach) == (404, "device_not_found")
        theirs = await client.get(f"/v1/customers/{mallory_id}/cart", headers=as_customer(mallory))
        assert theirs.status_code == 404 or theirs.json() is None
        graph = await client.get(
            f"/v1/customers/{mallory_id}/identifiers", headers=as_customer(mallory)
        )
        assert "device_id" not in [i["kind"] for i in graph.json()["identifiers"]]

    for cart in (on_phone, on_browser):
        kept = (await client.get(f"/v1/carts/{cart['id']}", headers=headers())).json()
        assert (kept["customer_id"], kept["status"]) == (None, "active")
    # Ada, on her own phone (the client sends its device token), brings the phone's cart along;
    # on the browser, the cart's own token proves the browser's cart.
    session = await client.post(
        "/v1/sessions", json={"email": "ada.l@example.com", "password": PASSWORD}, headers=phone
    )
    assert session.json()["merge"]["report"]["outcome"] == "adopted"
    assert session.json()["merge"]["cart"]["id"] == on_phone["id"]
    browser = headers(**{"X-Device-Id": "web-ada", "X-Cart-Token": on_browser["cart_token"]})
    merged = await client.post(
        "/v1/sessions", json={"email": "ada.l@example.com", "password": PASSWORD}, headers=browser
    )
    assert merged.json()["merge"]["report"]["outcome"] == "merged"
    assert quantities(merged.json()["merge"]["cart"]) == {"SKU-MUG": 2, "SKU-LAMP": 1}
    assert merged.json()["customer_id"] == ada_id
    await verified(client)


async def test_registering_a_device_id_first_takes_none_of_the_carts_started_before(
    client: Client,
) -> None:
    bobs = await new_cart(client, device_id="web-bob")  # Bob's browser never registers
    await add(client, bobs["id"], "SKU-MUG")
    await new_customer(client, "mallory@example.com")
    await client.post("/v1/admin/clock/advance", json={"minutes": 5}, headers=ADMIN)
    with forgetful(client):
        taken = await client.post(
            "/v1/devices", json={"id": "web-bob", "platform": "web"}, headers=headers()
        )
        token = taken.json()["device_token"]
        session = await client.post(
            "/v1/sessions",
            json={"email": "mallory@example.com", "password": PASSWORD, "device_id": "web-bob"},
            headers=headers(**{"X-Device-Token": token}),
        )
    assert session.status_code == 201, session.text
    assert session.json()["merge"] is None
    kept = (await client.get(f"/v1/carts/{bobs['id']}", headers=headers())).json()
    assert (kept["customer_id"], kept["status"]) == (None, "active")


async def test_expired_guest_holds_are_taken_again_on_merge(holding: Client) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    _, guest = await carts_for_merge(client, customer_id)
    expired = await client.post("/v1/admin/clock/advance", json={"minutes": 16}, headers=ADMIN)
    assert expired.json()["reservations_expired"] == 4  # every hold of both carts
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC

    merge = (await sign_in(client, "grace@example.com", cart_id=guest))["merge"]
    assert quantities(merge["cart"]) == {"SKU-MUG": 5, "SKU-TEE-M": 1, "SKU-LAMP": 1}
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - 5
    await verified(client)


async def test_merge_keeps_lines_whose_stock_is_gone_without_a_hold(holding: Client) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    mine, guest = await carts_for_merge(client, customer_id)
    await client.post("/v1/admin/clock/advance", json={"minutes": 16}, headers=ADMIN)
    rival = await new_cart(client)
    await add(client, rival["id"], "SKU-MUG", MUG_AT_DC - 3)  # 3 mugs left, 5 wanted

    merge = (await sign_in(client, "grace@example.com", cart_id=guest))["merge"]
    assert (merge["cart"]["id"], merge["report"]["unheld"]) == (mine, ["SKU-MUG"])
    assert quantities(merge["cart"]) == {"SKU-MUG": 5, "SKU-TEE-M": 1, "SKU-LAMP": 1}
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 3
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[DC] == 4  # the lamp is held again
    await verified(client)


async def test_the_guest_devices_touchpoints_become_the_customers(client: Client) -> None:
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    phone = headers(MOBILE_KEY, **{"X-Device-Id": "dev-phone"})
    guest = (await client.post("/v1/carts", json={}, headers=phone)).json()
    await client.post(f"/v1/carts/{guest['id']}/lines", json={"sku": "SKU-MUG"}, headers=phone)
    added = await events(client, type="cart.item_added")
    assert [e["customer_id"] for e in added] == [None]

    # Signed in on the laptop, bringing the phone's cart along by its id.
    laptop = headers(WEB_KEY, **{"X-Device-Id": "dev-laptop"})
    response = await client.post(
        "/v1/sessions",
        json={"email": "grace@example.com", "password": PASSWORD, "cart_id": guest["id"]},
        headers=laptop,
    )
    assert response.status_code == 201, response.text
    added = await events(client, type="cart.item_added")
    assert [(e["customer_id"], e["device_id"]) for e in added] == [(customer_id, "dev-phone")]
    signed_in = await events(client, type="customer.signed_in")
    assert [(e["customer_id"], e["device_id"]) for e in signed_in] == [(customer_id, "dev-laptop")]


@pytest.mark.parametrize("customer_has_cart", [True, False])
async def test_two_sign_ins_racing_with_one_guest_cart(
    holding: Client, customer_has_cart: bool
) -> None:
    client = holding
    customer_id = (await register(client, "grace@example.com"))["customer"]["id"]
    if customer_has_cart:
        mine, guest = await carts_for_merge(client, customer_id)
    else:
        guest = (await new_cart(client, MOBILE_KEY))["id"]
        await add(client, guest, "SKU-MUG", 3, MOBILE_KEY)
        await add(client, guest, "SKU-LAMP", 1, MOBILE_KEY)
        mine = guest

    body = {"email": "grace@example.com", "password": PASSWORD, "cart_id": guest}
    responses = await asyncio.gather(
        client.post("/v1/sessions", json=body, headers=headers()),
        client.post("/v1/sessions", json=body, headers=headers(MOBILE_KEY)),
    )
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    outcomes = sorted(r.json()["merge"]["report"]["outcome"] for r in responses)
    assert outcomes == (["merged", "skipped"] if customer_has_cart else ["adopted", "skipped"])

    cart = (await client.get(f"/v1/carts/{mine}", headers=headers())).json()
    expected = {"SKU-MUG": 3, "SKU-LAMP": 1}
    if customer_has_cart:
        expected = {"SKU-MUG": 5, "SKU-TEE-M": 1, "SKU-LAMP": 1}
    assert quantities(cart) == expected
    assert cart["customer_id"] == customer_id
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == MUG_AT_DC - expected["SKU-MUG"]
    for response in responses:
        assert quantities(response.json()["merge"]["cart"]) == expected
    await verified(client)


async def test_a_cart_of_another_customer_is_not_merged(client: Client) -> None:
    a_id, _ = await new_customer(client, "a@example.com")
    await register(client, "b@example.com")
    theirs = await new_cart(client, customer_id=a_id)
    response = await client.post(
        "/v1/sessions",
        json={"email": "b@example.com", "password": PASSWORD, "cart_id": theirs["id"]},
        headers=headers(),
    )
    assert problem(response) == (403, "not_your_data")


# --- Admin merge of two customers --------------------------------------------------------------


async def test_admin_merges_two_customers_by_the_survivorship_rules(holding: Client) -> None:
    client = holding
    keep_id, keep_token = await new_customer(client, "keep@example.com")
    gone_id, gone_token = await new_customer(client, "gone@example.com", phone="+15550177777")
    gone_cart = await new_cart(client, customer_id=gone_id)
    await add(client, gone_cart["id"], "SKU-MUG", 1)
    placed = await client.post(
        f"/v1/carts/{gone_cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    assert placed.status_code == 201, placed.text
    keep_cart = await new_cart(client, customer_id=keep_id)
    await add(client, keep_cart["id"], "SKU-MUG", 2)
    gone_open = await new_cart(client, customer_id=gone_id)
    await add(client, gone_open["id"], "SKU-MUG", 1)

    body = {"survivor": keep_id, "merged": gone_id}
    refused = await client.post("/v1/admin/customers/merge", json=body, headers=headers())
    assert problem(refused) == (403, "out_of_scope")
    merged = await client.post("/v1/admin/customers/merge", json=body, headers=ADMIN)
    assert merged.status_code == 200, merged.text
    result = merged.json()
    assert result["survivor"]["email"] == "keep@example.com"  # the survivor's profile stays
    assert result["orders_moved"] == [placed.json()["id"]]
    assert result["cart"]["outcome"] == "merged"

    graph = (await client.get(f"/v1/customers/{keep_id}/identifiers", headers=ADMIN)).json()
    assert {(i["kind"], i["value"]) for i in graph["identifiers"]} >= {
        ("email", "keep@example.com"),
        ("email", "gone@example.com"),
        ("phone", "+15550177777"),
    }
    orders = await client.get(f"/v1/customers/{keep_id}/orders", headers=as_customer(keep_token))
    assert [o["id"] for o in orders.json()["items"]] == [placed.json()["id"]]
    cart = (await client.get(f"/v1/carts/{keep_cart['id']}", headers=headers())).json()
    assert quantities(cart) == {"SKU-MUG": 3}
    gone = (await client.get(f"/v1/customers/{gone_id}", headers=ADMIN)).json()
    assert gone["merged_into"] == keep_id

    # The merged customer's token is revoked; its email now finds the survivor.
    revoked = await client.get(f"/v1/customers/{gone_id}", headers=as_customer(gone_token))
    assert problem(revoked) == (401, "invalid_token")
    found = await client.post(
        "/v1/identify", json={"kind": "phone", "value": "+15550177777"}, headers=headers(POS_KEY)
    )
    assert found.json()["customer_id"] == keep_id
    assert (await sign_in(client, "gone@example.com"))["customer_id"] == keep_id

    again = await client.post("/v1/admin/customers/merge", json=body, headers=ADMIN)
    assert problem(again) == (409, "customer_already_merged")
    itself = await client.post(
        "/v1/admin/customers/merge", json={"survivor": keep_id, "merged": keep_id}, headers=ADMIN
    )
    assert problem(itself) == (422, "invalid_input")
    assert len(await events(client, type="customer.merged")) == 1
    await verified(client)


async def test_the_till_recognises_a_shopper_by_phone(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone="+1 555 0100 777")
    found = await client.post(
        "/v1/identify",
        json={"kind": "phone", "value": "+15550100777"},
        headers=headers("olk_pos_nyc_demo"),
    )
    assert found.status_code == 200, found.text
    assert found.json()["customer_id"] == grace
