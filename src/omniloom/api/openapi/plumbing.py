"""What a route handler reads from a request, found in its own source.

Headers such as Idempotency-Key or If-Match are read by shared helpers in ``api/http.py`` and
friends, which a handler calls. Reading the handler's source for those calls documents exactly
the routes that honour a header, without a second list in every controller that could drift
from the code.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from enum import StrEnum
from functools import cache
from typing import Any


class Reads(StrEnum):
    IDEMPOTENCY_KEY = "idempotency_key"  # Idempotency-Key in, Idempotent-Replayed out
    IF_MATCH = "if_match"  # a cart version to compare
    CUSTOMER_TOKEN = "customer_token"  # X-Customer-Token, optional
    CUSTOMER_REQUIRED = "customer_required"  # X-Customer-Token or an admin key, required
    DEVICE = "device"  # X-Device-Id and campaign parameters (touchpoints)
    DEVICE_TOKEN = "device_token"  # X-Device-Token, proof of being a registered device
    ETAG = "etag"  # answers with the cart's version as ETag


_CALLS: dict[Reads, tuple[str, ...]] = {
    Reads.IDEMPOTENCY_KEY: ("idempotent_post",),
    Reads.IF_MATCH: ("expected_version",),
    Reads.CUSTOMER_TOKEN: (
        "acting_customer",
        "current_customer",
        "authorize_customer",
        "presented_token",
    ),
    Reads.CUSTOMER_REQUIRED: ("authorize_customer",),
    # idempotent_post and write record the touchpoint context themselves.
    Reads.DEVICE: ("touch_context", "idempotent_post", "write"),
    Reads.ETAG: ("etag", "_cart_response", "_cart_etag"),
    Reads.DEVICE_TOKEN: ("device_proven", "prove_device", "_shopper_device"),
}


@cache
def _source_names(fn: Any) -> frozenset[str]:
    """The bare names the function's body uses: ``write(...)`` is the API's helper, while
    ``runtime.write(...)`` is an attribute and not counted."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return frozenset()
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


def reads(handler: Any) -> frozenset[Reads]:
    """The request plumbing ``handler`` (a Litestar route handler) calls."""
    fn = getattr(handler, "fn", None)
    fn = getattr(fn, "value", fn)  # older Litestar wraps the function in a Ref
    names = _source_names(inspect.unwrap(fn)) if fn is not None else frozenset()
    return frozenset(kind for kind, calls in _CALLS.items() if names.intersection(calls))
