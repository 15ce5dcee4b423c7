"""A signed-in shopper buying on the web and at the till, and reviewing, as tests drive it."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, add, checkout_body, new_cart
from tests.support.identity import as_customer
from tests.support.pos import CARD, new_sale, pay, scan


async def bought_on_the_web(client: Client, customer_id: str, token: str, sku: str) -> Any:
    """A paid web order of one ``sku``, shipped, through the customer's own cart."""
    cart = await new_cart(client, customer_id=customer_id, customer_token=token)
    await add(client, cart["id"], sku)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=as_customer(token)
    )
    assert placed.status_code == 201, placed.text
    return placed.json()


async def bought_at_the_till(client: Client, customer_id: str, sku: str) -> dict[str, Any]:
    """A card sale of one ``sku`` at the New York till (its shift already open), to the customer."""
    sale = await new_sale(client, customer_id=customer_id)
    view = await scan(client, sale["cart_id"], sku)
    tender = {"type": "card", "card_number": CARD, "amount": view["total"]}
    paid = await pay(client, sale["cart_id"], tender)
    assert paid.status_code == 201, paid.text
    result: dict[str, Any] = paid.json()
    return result


async def review(client: Client, product_id: str, sent: dict[str, str], **body: Any) -> Any:
    return await client.post(f"/v1/products/{product_id}/reviews", json=body, headers=sent)
