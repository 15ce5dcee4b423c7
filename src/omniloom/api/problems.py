"""RFC 9457 problem+json for every error, with a stable machine ``code``."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from omniloom.api.headers import request_path
from omniloom.domain.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://omniloom.dev/problems/"

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "too_many_requests",
}
# A bad dict key is reported "at `key` in `$.path`": the field is then the dict itself.
_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$", re.DOTALL)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def field_error_from_msgspec(message: str, prefix: str = "") -> dict[str, str]:
    """Turn msgspec's "Expected `int`, got `str` - at `$.lines[0].quantity`" into a field path."""
    match = _AT_PATH.match(message)
    assert match is not None
    text = match.group("message").strip()
    path = (match.group("path") or "").lstrip(".")
    unknown = re.match(r"Object contains unknown field `([^`]+)`", text)
    if unknown:
        path = f"{path}.{unknown.group(1)}" if path else unknown.group(1)
    missing = re.match(r"Object missing required field `([^`]+)`", text)
    if missing:
        path = f"{path}.{missing.group(1)}" if path else missing.group(1)
    field = ".".join(part for part in (prefix, path) if part) or "body"
    return {"field": field, "message": text}


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        request_path(request),
        [error.as_dict() for error in exc.errors],
        exc.extra,
        headers=exc.headers or None,
    )


def on_validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[bytes]:
    errors: list[dict[str, str]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            # Litestar names the whole body "data"; clients know it as the body itself.
            key = str(item.get("key") or "")
            message = str(item.get("message", ""))
            if key == "data" and message == "'data'":
                # No body at all: the body decoder never ran, so the handler's data is missing.
                message = "a JSON body is required"
            key = "" if key == "data" else key.removeprefix("data.")
            errors.append(field_error_from_msgspec(message, prefix=key))
    if not errors:
        errors.append(field_error_from_msgspec(str(exc.detail)))
    return problem(
        422,
        "invalid_input",
        "Invalid input",
        "The request does not match the expected shape: " + errors[0]["message"],
        request_path(request),
        errors,
    )


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    detail = str(exc.detail)
    code = _HTTP_CODES.get(status, "http_error")
    # A 405 keeps the Allow header the router lists the route's methods in (RFC 9110).
    headers = dict(exc.headers) if exc.headers else None
    return problem(
        status, code, HTTPStatus(status).phrase, detail, request_path(request), headers=headers
    )


def on_unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    request.logger.exception("unhandled error", exc_info=exc)
    return problem(
        500,
        "internal_error",
        "Internal error",
        "omniloom hit an unexpected error; nothing was committed for this request.",
        request_path(request),
    )


EXCEPTION_HANDLERS: Any = {
    DomainError: on_domain_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    Exception: on_unexpected_error,
}
