"""Turns the document Litestar derives from the route handlers into the one clients rely on.

Litestar knows each route's path, parameters, body and success type. What it cannot know is
added here, once, for every route: readable operation ids, the problem+json answers in place of
Litestar's default 400 (which omniloom never sends), the headers each route honours and
answers with, which keys may call it, closed value lists, and working examples.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from omniloom.api.openapi import errors, examples, headers, plumbing, schemas, security
from omniloom.api.openapi.operations import operation_id
from omniloom.api.openapi.plumbing import Reads
from omniloom.domain.faults import faultable

METHODS = ("get", "put", "post", "patch", "delete")
# Headers whose value is checked: a bad one is `422 invalid_input`.
VALIDATED = frozenset({Reads.IDEMPOTENCY_KEY, Reads.IF_MATCH, Reads.DEVICE})
# Success answers in another media type than JSON: operation id → extra content.
EXTRA_CONTENT: dict[str, dict[str, Any]] = {
    "getReceipt": {"text/plain": {"schema": {"type": "string"}}},
}
# Success answers in another media type only (Litestar shows a stream as JSON): id → content.
ONLY_CONTENT: dict[str, dict[str, Any]] = {
    "streamOutbox": {
        "text/event-stream": {
            "schema": {
                "type": "string",
                "description": "Frames of `event:` message or status, `id:` and `data:` "
                "(a message as JSON), after a first comment line saying where it starts.",
            }
        }
    },
}


# Success answers a handler gives besides the one its signature names: operation id → responses.
EXTRA_RESPONSES: dict[str, dict[str, Any]] = {
    "waitForMessage": {"204": {"description": "No matching message came in time."}},
}


def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    found[(method.lower(), route.path_format)] = handler
    return found


def build(app: Litestar) -> dict[str, Any]:
    document: dict[str, Any] = app.openapi_schema.to_schema()
    handlers = _handlers(app)
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            handler = handlers.get((method, path))
            if operation is not None and handler is not None:
                _operation(path, method, operation, handler)
    document.pop("security", None)
    components = document.setdefault("components", {})
    components["securitySchemes"] = security.SCHEMES
    components.setdefault("schemas", {}).update(errors.SCHEMAS)
    schemas.correct(document)
    bodies = [h.parsed_data_field.annotation for h in handlers.values() if h.parsed_data_field]
    schemas.close(document, schemas.closed_structs(bodies))
    return document


def _operation(path: str, method: str, operation: dict[str, Any], handler: Any) -> None:
    op_id = operation_id(method, path, operation.get("operationId", ""))
    operation["operationId"] = op_id
    reads = plumbing.reads(handler)
    own = operation.get("parameters", [])
    has_path_ids = any(parameter["in"] == "path" for parameter in own)
    schemas.correct_parameters(op_id, own)
    owns = security.owned(handler.opt)
    operation["parameters"] = own + headers.request_parameters(reads, owns)
    examples.add(op_id, operation)

    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("400", None)  # Litestar's own validation answer, which omniloom never sends
    responses.update(EXTRA_RESPONSES.get(op_id, {}))
    for status, response in responses.items():
        if status.startswith("2"):
            response["headers"] = {**response.get("headers", {}), **headers.success_headers(reads)}
            response.setdefault("content", {}).update(EXTRA_CONTENT.get(op_id, {}))
            if op_id in ONLY_CONTENT:
                response["content"] = ONLY_CONTENT[op_id]
    codes = errors.operation_codes(
        op_id,
        authenticated=bool(security.requirement(handler.opt)),
        has_body="requestBody" in operation,
        has_parameters=any(p["in"] == "query" for p in own) or bool(reads & VALIDATED),
        has_path_ids=has_path_ids,
        reads=reads,
        owns=owns,
        faultable=faultable(path),
    )
    codes += errors.proof_codes(security.owns(handler.opt), path)
    responses.update(errors.responses(path, sorted(set(codes), key=codes.index)))

    operation["security"] = security.requirement(handler.opt)
    who = security.describe(handler.opt)
    described = operation.get("description")
    operation["description"] = f"{described}\n\n{who}" if described else who
