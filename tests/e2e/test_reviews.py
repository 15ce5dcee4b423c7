"""Reviews: a shopper rates a product bought on any channel, from any channel; nobody else can
write it for them, nobody can review what they did not buy, and bad input changes nothing."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, events, headers
from tests.support.identity import as_customer, new_customer, problem
from tests.support.pos import open_shift
from tests.support.purchases import bought_at_the_till, bought_on_the_web, review
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

ADMIN = headers(ADMIN_KEY)
SOCIAL_KEY = "olk_social_demo"


async def reviews_of(client: Client, product_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/products/{product_id}/reviews", headers=headers(WEB_KEY))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_bought_in_store_reviewed_on_the_app_and_read_by_everyone(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com", last_name="Hopper")
    await open_shift(client)
    await bought_at_the_till(client, grace, "SKU-LAMP")

    written = await review(
        client,
        "prd_lamp",
        as_customer(token, MOBILE_KEY),
        rating=4,
        title="  Warm light ",
        text="Solid brass.",
    )

    assert written.status_code == 201, written.text
    first = written.json()
    assert (first["rating"], first["title"], first["text"], first["channel"]) == (
        4,
        "Warm light",
        "Solid brass.",
        "mobile",
    )
    assert first["author"] == "Grace H." and first["verified_purchase"] is True
    assert "customer_id" not in first
    page = await reviews_of(client, "prd_lamp")
    assert (page["count"], page["average_rating"]) == (1, 4.0)
    assert page["ratings"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert [item["id"] for item in page["items"]] == [first["id"]]

    # Writing again (from the social shop this time) replaces the review: still one, same id.
    again = await review(client, "prd_lamp", as_customer(token, SOCIAL_KEY), rating=2)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["rating"], again.json()["title"]) == (
        first["id"],
        2,
        None,
    )
    page = await reviews_of(client, "prd_lamp")
    assert (page["count"], page["average_rating"]) == (1, 2.0)
    touches = [
        (e["type"], e["channel"], e["customer_id"], e["product_id"], e["data"]["rating"])
        for e in await events(client)
        if e["type"].startswith("review.")
    ]
    assert touches == [
        ("review.posted", "mobile", grace, "prd_lamp", 4),
        ("review.updated", "social", grace, "prd_lamp", 2),
    ]


async def test_the_average_is_over_every_shopper(client: Client) -> None:
    grace, grace_token = await new_customer(client, "grace@example.com")
    lin, lin_token = await new_customer(client, "lin@example.com")
    await bought_on_the_web(client, grace, grace_token, "SKU-MUG")
    await bought_on_the_web(client, lin, lin_token, "SKU-MUG")
    for token, rating in ((grace_token, 5), (lin_token, 2)):
        written = await review(client, "prd_mug", as_customer(token), rating=rating)
        assert written.status_code == 201, written.text

    page = await reviews_of(client, "prd_mug")

    assert (page["count"], page["average_rating"]) == (2, 3.5)
    first = await client.get(
        "/v1/products/prd_mug/reviews", params={"limit": 1}, headers=headers(WEB_KEY)
    )
    assert first.json()["next_offset"] == 1 and len(first.json()["items"]) == 1


async def test_only_the_buyer_may_review_and_only_what_they_bought(client: Client) -> None:
    grace, grace_token = await new_customer(client, "grace@example.com")
    _, lin_token = await new_customer(client, "lin@example.com")
    await bought_on_the_web(client, grace, grace_token, "SKU-MUG")

    # A storefront key is public: without the shopper's token there is no reviewer.
    assert problem(await review(client, "prd_mug", headers(WEB_KEY), rating=5)) == (
        401,
        "customer_token_required",
    )
    # Another shopper's token cannot write in Grace's name.
    named = await review(client, "prd_mug", as_customer(lin_token), rating=1, customer_id=grace)
    assert problem(named) == (403, "not_your_data")
    # In their own name they have not bought it.
    not_bought = await review(client, "prd_mug", as_customer(lin_token), rating=1)
    assert problem(not_bought) == (422, "not_purchased")
    assert not_bought.json()["errors"][0]["field"] == "product_id"
    # Grace bought the mug, not the lamp.
    other = await review(client, "prd_lamp", as_customer(grace_token), rating=5)
    assert problem(other) == (422, "not_purchased")
    # The back office writes for a shopper it names.
    unnamed = await review(client, "prd_mug", ADMIN, rating=5)
    assert problem(unnamed) == (422, "invalid_input")
    assert unnamed.json()["errors"][0]["field"] == "customer_id"

    assert (await reviews_of(client, "prd_mug"))["count"] == 0
    assert (await reviews_of(client, "prd_lamp"))["count"] == 0
    assert [e for e in await events(client) if e["type"].startswith("review.")] == []

    by_admin = await review(client, "prd_mug", ADMIN, rating=5, customer_id=grace)
    assert by_admin.status_code == 201, by_admin.text


async def test_bad_reviews_name_the_field_and_change_nothing(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    await bought_on_the_web(client, grace, token, "SKU-MUG")
    mine = as_customer(token)

    for body, field in (
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "5"}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "title": "x" * 121}, "title"),
        ({"rating": 5, "text": "x" * 4001}, "text"),
        ({"rating": 5, "stars": 5}, "stars"),
    ):
        refused = await client.post("/v1/products/prd_mug/reviews", json=body, headers=mine)
        assert problem(refused) == (422, "invalid_input"), body
        assert field in refused.json()["errors"][0]["field"], (body, refused.json())
    unknown = await review(client, "prd_nothing", mine, rating=5)
    assert problem(unknown) == (404, "not_found")
    listing = await client.get("/v1/products/prd_nothing/reviews", headers=headers(WEB_KEY))
    assert problem(listing) == (404, "not_found")

    assert (await reviews_of(client, "prd_mug"))["count"] == 0
    assert [e for e in await events(client) if e["type"].startswith("review.")] == []
