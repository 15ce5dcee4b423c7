"""The single customer view (own token or admin key): everything about one customer at once."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from omniloom.api.http import runtime_of
from omniloom.services.crm import profile
from omniloom.services.crm.profile import CustomerProfile


class ProfileController(Controller):
    path = "/v1/customers/{customer_id:str}/profile"
    tags = ["customers"]

    @get(
        summary="The single customer view: identity, devices, consents, stage, orders, returns, "
        "carts, messages, reviews and lifetime value",
        description=(
            "One call instead of six, for CRM screens and support tools. Orders and returns "
            "from every channel (web, app, till, social); the active cart; every message the "
            "outbox holds for the customer (sent or suppressed, with the reason); devices "
            "without their push tokens. `lifetime_value` sums paid orders less refunds, in "
            "minor units."
        ),
    )
    async def read(self, request: Request[Any, Any, Any], customer_id: str) -> CustomerProfile:
        return await profile.profile(runtime_of(request), customer_id)
