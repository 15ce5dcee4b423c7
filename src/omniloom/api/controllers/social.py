"""Social commerce: shoppable posts, clicks from them, in-platform orders."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from omniloom.api.http import idempotent_post, runtime_of
from omniloom.api.ownership import tokened
from omniloom.services.kernel.views import OrderView
from omniloom.services.social import commerce as social
from omniloom.services.social.commerce import NewPost, PostClick, PostView, SocialOrder


class SocialController(Controller):
    path = "/v1/social"
    tags = ["social"]

    @post("/posts", summary="Publish a shoppable post tagging products")
    async def publish(self, request: Request[Any, Any, Any], data: NewPost) -> PostView:
        runtime = runtime_of(request)
        return await idempotent_post(request, lambda unit: social.create_post(runtime, unit, data))

    @get("/posts/{post_id:str}", summary="A shoppable post")
    async def read(self, request: Request[Any, Any, Any], post_id: str) -> PostView:
        return await social.get_post(runtime_of(request), post_id)

    @post(
        "/posts/{post_id:str}/clicks",
        summary="A tap on a tagged product: a product view",
        status_code=200,
    )
    async def click(
        self, request: Request[Any, Any, Any], post_id: str, data: PostClick
    ) -> PostView:
        return await idempotent_post(
            request, lambda unit: social.click(unit, post_id, data), status_code=200
        )

    @post("/orders", summary="An order placed inside the social platform for a handle")
    async def order(self, request: Request[Any, Any, Any], data: SocialOrder) -> OrderView:
        runtime = runtime_of(request)
        return await idempotent_post(
            request, lambda unit: tokened(runtime, social.place_social_order(runtime, unit, data))
        )
