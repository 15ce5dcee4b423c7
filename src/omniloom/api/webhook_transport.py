"""Webhook attempts over HTTP: signed per the Standard Webhooks spec and posted with httpx.

``webhook-timestamp`` is the wall-clock time of the attempt, so receivers' usual five-minute
replay tolerance holds; when attempts are due is decided on the simulated clock.
"""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Request

from omniloom.api.http import runtime_of
from omniloom.domain.webhooks import signatures
from omniloom.services.kernel.clocks import SystemClock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.messaging import webhook_delivery
from omniloom.services.messaging.webhook_delivery import Dispatched

# A receiver that takes longer counts as a failed attempt (retried on schedule).
TIMEOUT_SECONDS = 5.0
TRANSPORT_KEY = "webhook_transport"


class HttpTransport:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self._timeout = timeout
        self._wall = SystemClock()

    async def __call__(
        self, url: str, webhook_id: str, body: bytes, secrets: list[str]
    ) -> tuple[int | None, str | None]:
        timestamp = int(self._wall.now().timestamp())
        headers = {
            "content-type": "application/json",
            "user-agent": "omniloom-webhooks",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signatures(secrets, webhook_id, timestamp, body),
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        return response.status_code, None


async def deliver_due(runtime: Runtime, state: Any) -> Dispatched:
    """Make the webhook attempts that are due (after the clock moved, or on request)."""
    transport: HttpTransport = state[TRANSPORT_KEY]
    return await webhook_delivery.dispatch_due(runtime, transport)


async def deliver_due_for(request: Request[Any, Any, Any]) -> Dispatched:
    return await deliver_due(runtime_of(request), request.app.state)
