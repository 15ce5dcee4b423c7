"""The touchpoint journal: one customer's journey, and filtered pages of every touchpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from omniloom.api.http import MAX_SEQUENCE, runtime_of
from omniloom.services.insight import touchpoints
from omniloom.services.insight.touchpoints import Journey, TouchpointPage


class TouchpointController(Controller):
    path = "/v1"
    tags = ["touchpoints"]

    @get(
        "/customers/{customer_id:str}/journey",
        summary="A customer's cross-device journey (own token or admin key)",
    )
    async def journey(self, request: Request[Any, Any, Any], customer_id: str) -> Journey:
        return await touchpoints.journey(runtime_of(request), customer_id)

    @get("/touchpoints", summary="Touchpoints by customer, channel, type and time")
    async def list_touchpoints(
        self,
        request: Request[Any, Any, Any],
        customer_id: Annotated[str | None, Parameter(max_length=40)] = None,
        channel: Annotated[str | None, Parameter(max_length=20)] = None,
        type: Annotated[str | None, Parameter(max_length=60)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: Annotated[
            int, Parameter(ge=0, le=MAX_SEQUENCE, description="next_cursor of the last page")
        ] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> TouchpointPage:
        return await touchpoints.list_touchpoints(
            runtime_of(request),
            after=cursor,
            limit=limit,
            customer_id=customer_id,
            channel=channel,
            event_type=type,
            since=since,
            until=until,
        )
