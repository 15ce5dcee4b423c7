"""Fault rules (admin): make chosen routes slow, fail or drop on purpose, to test retries."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post

from omniloom.api.faults import injector_of
from omniloom.api.http import idempotent_post, runtime_of, write
from omniloom.services.admin import faults
from omniloom.services.admin.faults import (
    FaultRuleList,
    FaultRulesCleared,
    FaultRuleView,
    NewFaultRule,
)

ABOUT = (
    "A rule selects requests by `operation_id` (`checkoutCart`) or `method` and `path` (the "
    "route's template, `/v1/carts/{cart_id}/checkout`), optionally only those through one "
    "`channel`'s keys. Its `kind` says what happens: `latency` (`latency_ms`, then the route "
    "runs), `status` (`status` 429, 500, 502, 503 or 504, answered as problem+json "
    "`fault_injected` with `Retry-After` on 429 and 503) or `drop` (the connection is closed "
    "before the body). `probability` (0 to 1, default 1) picks which requests; the n-th request "
    "the rule meets is faulted or not by `seed` and n alone, so the same run faults the same "
    "requests. `times` limits how many it faults. Faults are decided before the route runs: a "
    "faulted request changes nothing. Admin routes, /health and the docs are never faulted."
)


class FaultController(Controller):
    path = "/v1/admin/faults"
    tags = ["faults"]

    @post(summary="Add a fault rule", description=ABOUT)
    async def add(self, request: Request[Any, Any, Any], data: NewFaultRule) -> FaultRuleView:
        routes = injector_of(request.app).routes(request.app)
        return await idempotent_post(request, lambda unit: faults.add(unit, data, routes))

    @get(summary="Every fault rule, in the order they apply, with what each counted")
    async def list_rules(self, request: Request[Any, Any, Any]) -> FaultRuleList:
        return await runtime_of(request).read(faults.list_rules)

    @get("/{rule_id:str}", summary="One fault rule: requests matched and faulted")
    async def get_rule(self, request: Request[Any, Any, Any], rule_id: str) -> FaultRuleView:
        return await runtime_of(request).read(lambda conn: faults.get_rule(conn, rule_id))

    @delete(
        "/{rule_id:str}",
        summary="Remove a fault rule (answers with what it counted)",
        status_code=200,
    )
    async def remove(self, request: Request[Any, Any, Any], rule_id: str) -> FaultRuleView:
        return await write(request, lambda unit: faults.remove(unit, rule_id))

    @delete(summary="Remove every fault rule: normal answers again", status_code=200)
    async def clear(self, request: Request[Any, Any, Any]) -> FaultRulesCleared:
        return await write(request, faults.clear)
