"""Flows beyond the abandoned cart, end to end on the simulated clock: browse abandonment
retargeted on social, post-purchase and post-pickup follow-ups, returns; each re-checked before
it sends, so a shopper who bought, filled a cart or returned the order hears nothing more, and
an event read twice or late never sends twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from omniloom.services.messaging.flows import install_demo_flows
from omniloom.store import flow_queries
from tests.support.api import Client, checkout_body, headers
from tests.support.identity import as_customer, register
from tests.support.messaging import ADMIN, advance, outbox, runs, set_consents
from tests.support.pos import new_sale, open_shift, pay, scan
from tests.support.store import MOBILE_KEY, NYC, POS_KEY, WEB_KEY

PHONE = "+15550123456"
EMAIL = "grace@example.com"
PHONE_DEVICE = "grace-phone"
DEFINED_AT = datetime(2026, 1, 1, tzinfo=UTC)


async def shopper(client: Client) -> tuple[str, dict[str, str]]:
    """(customer, phone headers) of a shopper signed in on her phone, consenting to email and
    social retargeting."""
    grace = (await register(client, EMAIL, phone=PHONE))["customer"]["id"]
    app = headers(MOBILE_KEY, **{"X-Device-Id": PHONE_DEVICE})
    body = {"email": EMAIL, "password": "correct horse battery"}
    session = await client.post("/v1/sessions", json=body, headers=app)
    assert session.status_code == 201, session.text
    await set_consents(client, grace, email="subscribed", social="subscribed")
    return grace, as_customer(session.json()["token"], MOBILE_KEY, **{"X-Device-Id": PHONE_DEVICE})


async def define(client: Client, flow_id: str, trigger: str, *steps: dict[str, Any]) -> None:
    body = {"name": flow_id, "trigger": trigger, "campaign": flow_id, "steps": list(steps)}
    response = await client.put(f"/v1/admin/flows/{flow_id}", json=body, headers=ADMIN)
    assert response.status_code == 200, response.text


RETARGET = {"delay_minutes": 120, "channels": ["social"], "body": "Still thinking? {link}"}
REVIEW = {"delay_minutes": 3 * 1440, "channels": ["email"], "body": "How is it? Review: {link}"}


async def view(client: Client, app: dict[str, str], product_id: str) -> None:
    response = await client.get(f"/v1/products/{product_id}", headers=app)
    assert response.status_code == 200, response.text


async def buy(client: Client, app: dict[str, str], sku: str, **fulfilment: Any) -> dict[str, Any]:
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    added = await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": sku}, headers=app)
    assert added.status_code == 200, added.text
    body = checkout_body(**fulfilment)
    placed = await client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=app)
    assert placed.status_code == 201, placed.text
    order: dict[str, Any] = placed.json()
    return order


def summary(messages: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(m["channel"], m["status"], m["reason"]) for m in messages]


async def give_back(client: Client, order: dict[str, Any]) -> None:
    """Ship the order, then take one unit of it back at the store."""
    shipped = await client.post(f"/v1/admin/orders/{order['id']}/fulfil", headers=ADMIN)
    assert shipped.status_code == 200, shipped.text
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1}
    back = await client.post(
        "/v1/returns", json={"order_id": order["id"], "lines": [line]}, headers=headers(POS_KEY)
    )
    assert back.status_code == 201, back.text


async def test_browsing_without_buying_puts_the_shopper_in_a_social_audience_for_the_product(
    client: Client,
) -> None:
    grace, app = await shopper(client)
    await define(client, "browse", "browse_abandoned", RETARGET)
    await view(client, app, "prd_lamp")  # 09:00
    await advance(client, minutes=30)
    await view(client, app, "prd_mug")  # 09:30: the browse goes on
    await advance(client, hours=1, minutes=45)  # 11:15: the first view's 2 h are up
    assert await outbox(client) == []
    await advance(client, minutes=15)  # 11:30: 2 h after the last view
    [message] = await outbox(client, customer_id=grace)
    assert (message["channel"], message["recipient"], message["kind"]) == (
        "social",
        f"audience:{EMAIL}",
        "browse_abandoned",
    )
    assert message["product_id"] == "prd_mug"  # the last one looked at
    opened = await client.get(message["link"], headers=headers(WEB_KEY))
    assert opened.status_code == 200, opened.text
    assert (opened.json()["product_id"], opened.json()["cart"]) == ("prd_mug", None)
    [run] = await runs(client, flow_id="browse")
    assert (run["status"], run["customer_id"]) == ("completed", grace)
    # Views already counted by the run never start another; a view the next day does.
    await advance(client, hours=3)
    assert len(await outbox(client)) == 1
    await view(client, app, "prd_tee")
    await advance(client, hours=2)
    assert [m["product_id"] for m in await outbox(client)] == ["prd_mug", "prd_tee"]


async def test_browsing_that_ends_in_a_cart_or_a_purchase_sends_nothing(client: Client) -> None:
    grace, app = await shopper(client)
    await define(client, "browse", "browse_abandoned", RETARGET)
    await view(client, app, "prd_lamp")
    await advance(client, minutes=20)
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-LAMP"}, headers=app)
    for _ in range(4):  # several ticks across the due moment change nothing
        await advance(client, hours=1)
    assert summary(await outbox(client)) == [("social", "suppressed", "added_to_cart")]
    [run] = await runs(client, flow_id="browse")
    assert (run["status"], run["exit_reason"]) == ("exited", "added_to_cart")

    # A later browse, then a purchase at a till in the store: converted, nothing sent.
    await view(client, app, "prd_tee")
    await advance(client, minutes=30)
    await open_shift(client)
    sale = await new_sale(client, customer_id=grace)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    paid = await pay(client, sale["cart_id"], {"type": "cash", "tendered": 5000})
    assert paid.status_code == 201, paid.text
    await advance(client, hours=3)
    assert summary(await outbox(client))[1:] == [("social", "suppressed", "converted")]
    assert [r["status"] for r in await runs(client, flow_id="browse")] == ["exited", "converted"]


async def test_a_review_request_follows_a_collected_order_three_days_later(client: Client) -> None:
    grace, app = await shopper(client)
    await define(client, "review", "order_picked_up", REVIEW)
    order = await buy(client, app, "SKU-LAMP", type="pickup", location_id=NYC)
    await advance(client, hours=5)
    assert await runs(client) == []  # placed, not collected yet
    for step in ("ready", "picked-up"):
        moved = await client.post(f"/v1/admin/orders/{order['id']}/{step}", headers=ADMIN)
        assert moved.status_code == 200, moved.text
    # A sale at a till is no collection: it starts nothing.
    await open_shift(client)
    sale = await new_sale(client, customer_id=grace)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    assert (await pay(client, sale["cart_id"], {"type": "cash", "tendered": 5000})).is_success

    await advance(client, days=2, hours=23)
    assert await outbox(client) == []
    await advance(client, hours=1)
    [message] = await outbox(client)
    assert (message["channel"], message["kind"], message["product_id"]) == (
        "email",
        "order_picked_up",
        "prd_lamp",
    )
    [run] = await runs(client, flow_id="review")
    assert (run["order_id"], run["status"]) == (order["id"], "completed")


async def test_a_follow_up_about_an_order_returned_or_cancelled_meanwhile_is_not_sent(
    client: Client,
) -> None:
    _, app = await shopper(client)
    await define(client, "thanks", "order_placed", REVIEW)
    kept = await buy(client, app, "SKU-MUG")
    returned = await buy(client, app, "SKU-MUG")
    cancelled = await buy(client, app, "SKU-TEE-M")
    await advance(client, days=1)
    moved = await client.post(f"/v1/admin/orders/{cancelled['id']}/cancel", headers=ADMIN)
    assert moved.status_code == 200, moved.text
    await give_back(client, returned)
    await advance(client, days=3)
    by_order = {r["order_id"]: (r["status"], r["exit_reason"]) for r in await runs(client)}
    assert by_order == {
        kept["id"]: ("completed", None),
        returned["id"]: ("exited", "returned"),
        cancelled["id"]: ("exited", "cancelled"),
    }
    assert sorted(summary(await outbox(client))) == [
        ("email", "queued", None),
        ("email", "suppressed", "cancelled"),
        ("email", "suppressed", "returned"),
    ]


async def test_a_return_is_followed_up_unless_the_shopper_bought_again(client: Client) -> None:
    _, app = await shopper(client)
    step = {"delay_minutes": 1440, "channels": ["email"], "body": "Sorry. {code}", "code": "X5"}
    first = await buy(client, app, "SKU-MUG")
    await define(client, "after-return", "return_made", step)
    await give_back(client, first)
    await advance(client, days=1)
    [message] = await outbox(client)
    assert (message["body"], message["kind"]) == ("Sorry. X5", "return_made")

    second = await buy(client, app, "SKU-LAMP")
    await give_back(client, second)
    await advance(client, hours=1)
    await buy(client, app, "SKU-TEE-M")
    await advance(client, days=2)
    assert summary(await outbox(client))[1:] == [("email", "suppressed", "converted")]


async def test_events_read_twice_or_a_flow_redefined_never_send_twice(
    client: Client, store_db: Any
) -> None:
    grace, app = await shopper(client)
    await define(client, "review", "order_placed", REVIEW)
    await define(client, "browse", "browse_abandoned", RETARGET)
    await buy(client, app, "SKU-MUG")
    await advance(client, minutes=1)
    await view(client, app, "prd_lamp")
    await advance(client, hours=1)
    # The flows read the log again from its start, as after a lost cursor, and one is
    # redefined as it was: every event is seen again.
    await define(client, "review", "order_placed", REVIEW)

    def rewind(conn: Any) -> None:
        for flow_id in ("review", "browse"):
            flow_queries.set_scanned_seq(conn, flow_id, 0)

    await asyncio.to_thread(store_db.run_blocking, rewind)
    for _ in range(3):
        await advance(client, days=1, hours=1)
    assert sorted((r["flow_id"], r["status"]) for r in await runs(client)) == [
        ("browse", "completed"),
        ("review", "completed"),
    ]
    kinds = [m["kind"] for m in await outbox(client, customer_id=grace)]
    assert kinds == ["browse_abandoned", "order_placed"]


async def test_the_demo_stores_flows_retarget_a_browse_and_ask_for_a_review_after_pickup(
    client: Client, store_db: Any
) -> None:
    await asyncio.to_thread(
        store_db.run_blocking, lambda conn: install_demo_flows(conn, DEFINED_AT)
    )
    grace, app = await shopper(client)
    await view(client, app, "prd_tee")
    await advance(client, hours=2)
    order = await buy(client, app, "SKU-LAMP", type="pickup", location_id=NYC)
    for step in ("ready", "picked-up"):
        await client.post(f"/v1/admin/orders/{order['id']}/{step}", headers=ADMIN)
    await advance(client, days=3)
    sent = await outbox(client, customer_id=grace)
    assert [(m["campaign"], m["channel"], m["product_id"]) for m in sent] == [
        ("browse-retargeting", "social", "prd_tee"),
        ("review-request", "email", "prd_lamp"),
    ]
