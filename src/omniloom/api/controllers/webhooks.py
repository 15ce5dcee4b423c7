"""Webhooks (admin): subscribe endpoints to event types, rotate secrets, read and replay
deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from omniloom.api.auth import requires
from omniloom.api.http import idempotent_post, runtime_of, write
from omniloom.api.webhook_transport import deliver_due_for
from omniloom.domain.channels import Scope
from omniloom.services.messaging import webhook_delivery, webhooks
from omniloom.services.messaging.commands import NewEndpoint
from omniloom.services.messaging.webhook_delivery import DeliveryList, DeliveryView, Dispatched
from omniloom.services.messaging.webhooks import EndpointList, EndpointView

DeliveryStatus = Annotated[str | None, Parameter(pattern="^(pending|delivered|failed)$")]


class WebhookController(Controller):
    path = "/v1/admin/webhooks"
    tags = ["webhooks"]
    opt = requires(Scope.ADMIN)

    @post(summary="Subscribe an endpoint to event types (answers with its signing secret)")
    async def subscribe(self, request: Request[Any, Any, Any], data: NewEndpoint) -> EndpointView:
        return await idempotent_post(request, lambda unit: webhooks.subscribe(unit, data))

    @get(summary="Every webhook endpoint")
    async def list_endpoints(self, request: Request[Any, Any, Any]) -> EndpointList:
        return await runtime_of(request).read(webhooks.list_endpoints)

    @get("/{endpoint_id:str}", summary="One webhook endpoint")
    async def get_endpoint(self, request: Request[Any, Any, Any], endpoint_id: str) -> EndpointView:
        return await runtime_of(request).read(lambda conn: webhooks.get_endpoint(conn, endpoint_id))

    @post("/{endpoint_id:str}/disable", summary="Stop delivering to it", status_code=200)
    async def disable(self, request: Request[Any, Any, Any], endpoint_id: str) -> EndpointView:
        return await write(request, lambda unit: webhooks.set_enabled(unit, endpoint_id, False))

    @post("/{endpoint_id:str}/enable", summary="Deliver to it again", status_code=200)
    async def enable(self, request: Request[Any, Any, Any], endpoint_id: str) -> EndpointView:
        return await write(request, lambda unit: webhooks.set_enabled(unit, endpoint_id, True))

    @post(
        "/{endpoint_id:str}/rotate-secret",
        summary="A new secret; the old one co-signs for 24 h",
        status_code=200,
    )
    async def rotate(self, request: Request[Any, Any, Any], endpoint_id: str) -> EndpointView:
        return await write(request, lambda unit: webhooks.rotate_secret(unit, endpoint_id))

    @get("/{endpoint_id:str}/deliveries", summary="The delivery log: each event, each attempt")
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: str,
        status: DeliveryStatus = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> DeliveryList:
        return await runtime_of(request).read(
            lambda conn: webhook_delivery.list_deliveries(conn, endpoint_id, status, limit)
        )

    @post(
        "/deliveries/{delivery_id:str}/replay",
        summary="Deliver again from the first attempt (same webhook-id)",
        status_code=200,
    )
    async def replay(self, request: Request[Any, Any, Any], delivery_id: str) -> DeliveryView:
        replayed = await write(request, lambda unit: webhook_delivery.replay(unit, delivery_id))
        await deliver_due_for(request)
        return replayed

    @post("/dispatch", summary="Fan out new events and make due attempts now", status_code=200)
    async def dispatch(self, request: Request[Any, Any, Any]) -> Dispatched:
        await write(request, webhook_delivery.fan_out)
        return await deliver_due_for(request)
