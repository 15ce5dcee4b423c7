"""Catalog browse and product detail, for every storefront channel."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from omniloom.api.auth import principal
from omniloom.api.context import touch_context
from omniloom.api.http import json_response, runtime_of
from omniloom.services.catalog import browse as catalog
from omniloom.services.insight import touchpoints
from omniloom.services.kernel.views import CategoryView, Page, ProductView


class CatalogController(Controller):
    path = "/v1"
    tags = ["catalog"]

    @get("/products", summary="Browse and search the catalog")
    async def browse(
        self,
        request: Request[Any, Any, Any],
        q: Annotated[str | None, Parameter(max_length=200, description="Search words")] = None,
        category: Annotated[str | None, Parameter(max_length=40)] = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 24,
    ) -> Page:
        runtime = runtime_of(request)
        channel = principal(request).channel
        page = await catalog.browse(
            runtime, channel=channel, cursor=cursor, limit=limit, query=q, category_id=category
        )
        if cursor is None:  # a search is one touch, however many pages the shopper turns
            await touchpoints.record_search(
                runtime, channel, touch_context(request), q, category, len(page.items)
            )
        return page

    @get("/products/{product_id:str}", summary="Product detail with availability by location")
    async def product(self, request: Request[Any, Any, Any], product_id: str) -> ProductView:
        runtime = runtime_of(request)
        channel = principal(request).channel
        page = await catalog.product_page(runtime, product_id, channel)
        await touchpoints.record_view(runtime, channel, touch_context(request), product_id)
        # The page is sent as encoded (and kept so); the annotation is what OpenAPI shows.
        return json_response(page)  # type: ignore[return-value]

    @get("/categories", summary="All categories")
    async def categories(self, request: Request[Any, Any, Any]) -> list[CategoryView]:
        return await catalog.categories(runtime_of(request))
