"""The problem+json answers of each operation: one shared Problem schema, one response per status
listing the ``code``s it can carry, with an example of each.

An operation's codes are its own domain errors (catalogue.py) plus those every route of its
kind gets, decided from what the route really does: a route that needs a key can answer 401 and
403, one that takes a body can answer 400, 413 and 422, one with an id in its path 404, one that
honours Idempotency-Key or If-Match their conflicts. Every route can answer 500.
"""

from __future__ import annotations

from collections import defaultdict
from http import HTTPStatus
from typing import Any

from omniloom.api.access import Owns
from omniloom.api.openapi.catalogue import ERRORS
from omniloom.api.openapi.plumbing import Reads
from omniloom.api.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from omniloom.domain import errors as e
from omniloom.domain.faults import FAULT_CODE, FAULT_STATUSES, FaultInjected
from omniloom.domain.payments import DECLINES

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
CODES_KEY = "x-problem-codes"

Code = tuple[int, str, str]  # status, code, title

SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "type": "object",
        "title": "FieldError",
        "description": "One field at fault: its path in the body, or a header or parameter name.",
        "properties": {
            "field": {"type": "string", "examples": ["lines[0].quantity"]},
            "message": {"type": "string", "examples": ["Expected `int`, got `str`"]},
        },
        "required": ["field", "message"],
    },
    "Problem": {
        "type": "object",
        "title": "Problem",
        "description": (
            "An RFC 9457 problem. Branch on `code`, which never changes meaning; `detail` is "
            "for people. Some problems add fields of their own (`decline_code`, `available`, "
            "`current_version`, …)."
        ),
        "properties": {
            "type": {"type": "string", "description": PROBLEM_BASE + "{code}"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "stable machine code"},
            "instance": {"type": "string", "description": "the request path"},
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/FieldError"},
                "description": "for invalid input: each field at fault",
            },
            "decline_code": {"type": "string", "description": "for declined payments"},
            "fault_rule": {
                "type": "string",
                "description": "for `fault_injected`: the admin's fault rule that answered",
            },
        },
        "required": ["type", "title", "status", "detail", "code", "instance"],
    },
}


def _of(error: type[e.DomainError]) -> list[Code]:
    if error is e.PaymentDeclined:  # one class, one code per simulated decline
        return [(error.status, code, error.title) for code, _ in DECLINES.values()]
    return [(error.status, error.code, error.title)]


def _http(status: int, code: str) -> Code:
    return (status, code, HTTPStatus(status).phrase)


AUTHENTICATED = [*_of(e.AuthenticationRequired), *_of(e.InvalidApiKey), *_of(e.OutOfScope)]
WITH_BODY = [
    *_of(e.MalformedJson),
    _http(413, "body_too_large"),
    *_of(e.UnsupportedMediaType),
    *_of(e.InvalidInput),
]
CUSTOMER_TOKEN = [*_of(e.InvalidCustomerToken), *_of(e.TokenExpired)]
# Not owning it answers as not being there, so ids cannot be probed.
OWNED_NOT_FOUND = {Owns.CART: e.CartNotFound, Owns.ORDER: e.OrderNotFound}
CUSTOMER_REQUIRED = [*_of(e.CustomerTokenRequired), *_of(e.NotYourData)]
INTERNAL: Code = (500, "internal_error", "Internal error")
# What a fault rule may answer instead of a route (api/faults.py): any route but admin ones.
FAULTS = [(status, FAULT_CODE, FaultInjected.title) for status in FAULT_STATUSES]
# What a route answers a caller who cannot prove they own what it names (api/ownership.py).
PROOF_OF = {
    "cart": [*_of(e.CartNotFound), *CUSTOMER_TOKEN],
    "order": [*_of(e.OrderNotFound), *CUSTOMER_TOKEN],
    "customer": [*CUSTOMER_TOKEN, *CUSTOMER_REQUIRED],
}


def proof_codes(owns: str | None, path: str) -> list[Code]:
    """The answers of a route's ownership check, and the not-found of the cart or order its
    path names (the same answer, on purpose)."""
    codes = list(PROOF_OF.get(owns or "", []))
    if "{cart_id}" in path:
        codes += _of(e.CartNotFound)
    if "{order_id}" in path:
        codes += _of(e.OrderNotFound)
    return codes


def operation_codes(
    operation_id: str,
    *,
    authenticated: bool,
    has_body: bool,
    has_parameters: bool,
    has_path_ids: bool,
    reads: frozenset[Reads],
    owns: Owns | None,
    faultable: bool = False,
) -> list[Code]:
    codes: list[Code] = []
    for error in ERRORS.get(operation_id, ()):
        codes += _of(error)
    if authenticated:
        codes += AUTHENTICATED
    if has_body:
        codes += WITH_BODY
    if has_parameters:
        codes += _of(e.InvalidInput)
    if has_path_ids:
        codes += _of(e.NotFound)
    if Reads.IDEMPOTENCY_KEY in reads:
        codes += _of(e.IdempotencyKeyReused)
    if Reads.IF_MATCH in reads:
        codes += _of(e.CartVersionConflict)
    if Reads.CUSTOMER_TOKEN in reads:
        codes += CUSTOMER_TOKEN
    if Reads.CUSTOMER_REQUIRED in reads or owns is Owns.CUSTOMER:
        codes += CUSTOMER_REQUIRED
    if owns is not None:
        codes += CUSTOMER_TOKEN + _of(OWNED_NOT_FOUND.get(owns, e.NotFound))
    codes.append(INTERNAL)
    if faultable:
        codes += FAULTS
    return list(dict.fromkeys(codes))


def _example(path: str, status: int, code: str, title: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": f"{title}.",
        "code": code,
        "instance": path,
    }
    if code == e.InvalidInput.code:
        body["errors"] = [{"field": "quantity", "message": "Expected `int`, got `str`"}]
    if status == e.PaymentDeclined.status:
        body["decline_code"] = code
    if code == FAULT_CODE:
        body["fault_rule"] = "flt_1"
    return body


def responses(path: str, codes: list[Code]) -> dict[str, Any]:
    """One problem+json response per status, naming its codes, with an example of each."""
    by_status: dict[int, list[Code]] = defaultdict(list)
    for code in codes:
        by_status[code[0]].append(code)
    answers: dict[str, Any] = {}
    for status in sorted(by_status):
        listed = by_status[status]
        names = ", ".join(f"`{code}`" for _, code, _ in listed)
        answers[str(status)] = {
            "description": f"{HTTPStatus(status).phrase}: {names}",
            CODES_KEY: [code for _, code, _ in listed],
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": PROBLEM_REF,
                    "examples": {
                        code: {"summary": title, "value": _example(path, *entry)}
                        for entry in listed
                        for _, code, title in [entry]
                    },
                }
            },
        }
    return answers
