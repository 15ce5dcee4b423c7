"""Automation flows (admin): define or change one as JSON or YAML, list them, follow their runs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.params import Parameter

from omniloom.api.http import runtime_of, write
from omniloom.api.strict_body import YAML_BODY
from omniloom.domain.flows import FlowDefinition
from omniloom.services.messaging import flows
from omniloom.services.messaging.flows import FlowList, FlowView, RunList

RunStatus = Annotated[str | None, Parameter(pattern="^(active|completed|converted|exited)$")]


class FlowController(Controller):
    path = "/v1/admin"
    tags = ["messaging"]

    @get("/flows", summary="Every automation flow")
    async def list_flows(self, request: Request[Any, Any, Any]) -> FlowList:
        return await runtime_of(request).read(flows.list_flows)

    @get("/flows/{flow_id:str}", summary="One automation flow")
    async def get_flow(self, request: Request[Any, Any, Any], flow_id: str) -> FlowView:
        return await runtime_of(request).read(lambda conn: flows.get_flow(conn, flow_id))

    @put(
        "/flows/{flow_id:str}",
        summary="Define or change a flow, as JSON or YAML (validated before it is kept)",
        description=(
            "The body is JSON, or the same flow written in YAML with `Content-Type:"
            " application/yaml` (or `application/x-yaml`); both are validated by the same"
            " schema, shown here for JSON (generated clients send JSON)."
        ),
        opt={YAML_BODY: True},
    )
    async def put_flow(
        self, request: Request[Any, Any, Any], flow_id: str, data: FlowDefinition
    ) -> FlowView:
        return await write(request, lambda unit: flows.put_flow(unit, flow_id, data))

    @get("/flow-runs", summary="Shoppers going through flows: step, due time, how it ended")
    async def runs(
        self,
        request: Request[Any, Any, Any],
        flow_id: Annotated[str | None, Parameter(max_length=80)] = None,
        customer_id: Annotated[str | None, Parameter(max_length=40)] = None,
        status: RunStatus = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> RunList:
        return await runtime_of(request).read(
            lambda conn: flows.list_runs(
                conn, flow_id=flow_id, customer_id=customer_id, status=status, limit=limit
            )
        )
