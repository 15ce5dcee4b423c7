"""Reviews: a shopper rates a product they bought, from any channel; everyone reads them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from omniloom.api.auth import principal
from omniloom.api.customer_auth import authorize_customer, current_customer
from omniloom.api.http import idempotent_post, runtime_of
from omniloom.domain.channels import Scope
from omniloom.domain.errors import CustomerTokenRequired, FieldError, InvalidInput
from omniloom.services.reviews import reviews
from omniloom.services.reviews.commands import WriteReview
from omniloom.services.reviews.reviews import ReviewPage, ReviewView


async def _reviewer(request: Request[Any, Any, Any], data: WriteReview) -> str:
    """Who writes: the token's customer; an admin key names the shopper in ``customer_id``."""
    if data.customer_id is not None:
        await authorize_customer(request, data.customer_id)
        return data.customer_id
    caller = await current_customer(request)
    if caller is not None:
        return caller
    if principal(request).allows(Scope.ADMIN):
        raise InvalidInput(
            "Name the shopper the review is written for.",
            errors=[FieldError("customer_id", "required with an admin key")],
        )
    raise CustomerTokenRequired("Sign in and send the token in X-Customer-Token to review.")


class ReviewController(Controller):
    path = "/v1/products/{product_id:str}/reviews"
    tags = ["reviews"]

    @post(
        "/",
        summary="Rate and review a product the shopper bought (their token)",
        description=(
            "The reviewer is the customer of X-Customer-Token (an admin key names them in "
            "`customer_id`). They must have bought the product on some channel (web, app, "
            "till, social): a paid order with one of its SKUs, else 422 `not_purchased`. "
            "`rating` 1 to 5; `title` up to 120 and `text` up to 4000 characters, optional. "
            "One review per customer and product: writing again replaces the rating and text "
            "of the same review. Recorded as a `review.posted` (or `review.updated`) "
            "touchpoint on the key's channel."
        ),
    )
    async def write(
        self, request: Request[Any, Any, Any], product_id: str, data: WriteReview
    ) -> ReviewView:
        runtime = runtime_of(request)
        customer_id = await _reviewer(request, data)
        return await idempotent_post(
            request,
            lambda unit: reviews.write_review(runtime, unit, customer_id, product_id, data),
        )

    @get("/", summary="A product's reviews, newest first, with the average rating")
    async def list_reviews(
        self,
        request: Request[Any, Any, Any],
        product_id: str,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> ReviewPage:
        return await reviews.product_reviews(
            runtime_of(request), product_id, offset=offset, limit=limit
        )
