"""Request plumbing shared by the controllers: idempotent POSTs, If-Match, JSON responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection

from omniloom.api.auth import principal
from omniloom.api.context import touch_context
from omniloom.api.headers import header
from omniloom.api.json_response import JsonResponse
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.services.kernel import idempotency
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit

MAX_IDEMPOTENCY_KEY = 255


def runtime_of(request: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    # Item access, as for the key ring in auth: attribute access on State raises internally first.
    runtime: Runtime = request.app.state["runtime"]
    return runtime


def json_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return JsonResponse(body, status_code, headers)


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The cart version named by If-Match (``"3"``, ``W/"3"`` or ``3``); None when absent."""
    raw = header(request, b"if-match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput(
            'If-Match must carry the cart\'s ETag, for example "3".',
            errors=[FieldError("If-Match", "not a cart version")],
        )
    return int(value)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


async def idempotent_post(
    request: Request[Any, Any, Any],
    work: Callable[[Unit], msgspec.Struct],
    *,
    status_code: int = 201,
    headers_from: Callable[[idempotency.Outcome], dict[str, str]] | None = None,
) -> Response[bytes]:
    """Run a POST's unit of work once per Idempotency-Key and answer with its JSON.

    The answer is the stored bytes (a replay must be byte-identical), so handlers return this
    Response while their signature names the Struct it carries: that annotation is what the
    OpenAPI document shows, hence the ``type: ignore[return-value]`` at each call.
    """
    key = header(request, b"idempotency-key")
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            "Idempotency-Key must be 1 to 255 characters.",
            errors=[FieldError("Idempotency-Key", "1 to 255 characters")],
        )
    caller = principal(request)
    # Only a keyed request is ever compared with another one.
    request_fingerprint = (
        idempotency.fingerprint(request.method, request.url.path, await request.body())
        if key
        else ""
    )
    outcome = await idempotency.run_once(
        runtime_of(request),
        channel=caller.channel,
        scope=caller.key,
        key=key,
        request_fingerprint=request_fingerprint,
        status_code=status_code,
        work=work,
        context=touch_context(request),
    )
    headers = headers_from(outcome) if headers_from else {}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(outcome.body, outcome.status_code, headers)
