"""Request plumbing shared by the controllers: idempotent POSTs, If-Match, JSON responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection

from omniloom.api.auth import principal
from omniloom.api.context import touch_context
from omniloom.api.headers import header, request_path
from omniloom.api.json_response import JsonResponse
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.services.kernel import idempotency
from omniloom.services.kernel.context import TouchContext
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit

MAX_IDEMPOTENCY_KEY = 255
MAX_VERSION_DIGITS = 18
T = TypeVar("T")
View = TypeVar("View", bound=msgspec.Struct)
# Beyond any sequence number a store reaches, and within the database integer: a larger `after`
# would overflow the driver (a 500) rather than read nothing. Exact as a JSON number, too.
MAX_SEQUENCE = 10**15


def runtime_of(request: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    # Item access, as for the key ring in auth: attribute access on State raises internally first.
    runtime: Runtime = request.app.state["runtime"]
    return runtime


def json_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return JsonResponse(body, status_code, headers)


def answer(view: View, status_code: int = 200, headers: dict[str, str] | None = None) -> View:
    """``view`` as JSON with this status and headers, typed as the view itself.

    Litestar sends a returned Response as it is, and documents the route by the handler's
    annotation: so a handler names the Struct it answers with, and this (like
    :func:`idempotent_post`) hands back that Struct's JSON typed as the Struct, in one place
    instead of a ``type: ignore`` at every handler.
    """
    return cast(View, json_response(msgspec.json.encode(view), status_code, headers))


async def write(
    request: Request[Any, Any, Any],
    work: Callable[[Unit], T],
    *,
    context: TouchContext | None = None,
) -> T:
    """Run ``work`` in one unit of work, as the caller's channel and with its touch context.

    For the writes that are not idempotent POSTs (PUT, DELETE, PATCH, sign-in); a POST goes
    through :func:`idempotent_post` instead, which runs its unit the same way. ``context``
    replaces the request's own touch context when the body says more (the device signing in).
    """
    touch = touch_context(request) if context is None else context
    return await runtime_of(request).write(work, principal(request).channel, touch)


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The cart version named by If-Match (``"3"``, ``W/"3"`` or ``3``); None when absent."""
    raw = header(request, b"if-match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    # A version is a counter: more digits than any counter has are not one (and would not fit).
    if not value.isdigit() or len(value) > MAX_VERSION_DIGITS:
        raise InvalidInput(
            'If-Match must carry the cart\'s ETag, for example "3".',
            errors=[FieldError("If-Match", "not a cart version")],
        )
    return int(value)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


async def idempotent_post(
    request: Request[Any, Any, Any],
    work: Callable[[Unit], View],
    *,
    status_code: int = 201,
    headers_from: Callable[[idempotency.Outcome], dict[str, str]] | None = None,
) -> View:
    """Run a POST's unit of work once per Idempotency-Key and answer with its JSON.

    The answer is the stored bytes (a replay must be byte-identical), so this is a Response; it
    is typed as the Struct it carries, which is what the handler's signature names and the
    OpenAPI document shows (see :func:`answer`). Return it; do not read fields from it.
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
        idempotency.fingerprint(request.method, request_path(request), await request.body())
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
    return cast(View, json_response(outcome.body, outcome.status_code, headers))
