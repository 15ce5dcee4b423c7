"""The headers a client sends and gets back, as the document shows them."""

from __future__ import annotations

from typing import Any

from omniloom.api.access import Owns
from omniloom.api.context import MAX_CAMPAIGN_VALUE
from omniloom.api.http import MAX_IDEMPOTENCY_KEY
from omniloom.api.openapi.plumbing import Reads
from omniloom.api.request_id import REQUEST_ID_HEADER, REQUEST_ID_PATTERN


def _header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


IDEMPOTENCY_KEY = _header(
    "Idempotency-Key",
    "Makes a retry safe: the same key with the same body answers the first response again "
    "(with `Idempotent-Replayed: true`); the same key with another body is "
    "`422 idempotency_key_reused`. Keys are kept per API key; failed requests are not "
    "remembered.",
    minLength=1,
    maxLength=MAX_IDEMPOTENCY_KEY,
)
IF_MATCH = _header(
    "If-Match",
    "The cart's ETag as last read. A change made meanwhile on another device answers "
    "`412 cart_version_conflict` instead of being lost. `*` or no header: no check.",
    pattern=r'^(\*|(W/)?"?[0-9]+"?)$',
)
CUSTOMER_TOKEN = _header(
    "X-Customer-Token",
    "The signed-in shopper's token from `POST /v1/sessions`. An unknown or expired token is "
    "`401 invalid_token` / `token_expired`, never treated as anonymous.",
)
CART_TOKEN = _header(
    "X-Cart-Token",
    "The cart's `cart_token` from `POST /v1/carts`: proof of holding this cart. Without it (or "
    "the owner's `X-Customer-Token`, a till or the admin key) the cart is `404 cart_not_found`.",
)
ORDER_TOKEN = _header(
    "X-Order-Token",
    "The order's `order_token` from checkout: proof of having placed it. Without it (or the "
    "owner's `X-Customer-Token`, a till or the admin key) the order is `404 order_not_found`.",
)
DEVICE_ID = _header(
    "X-Device-Id",
    "The client's device (one id per browser or app install); its touchpoints join the "
    "shopper's journey.",
    pattern=r"^[A-Za-z0-9._:\-]{1,80}$",
    examples=["dev_web_ada"],
)
DEVICE_TOKEN = _header(
    "X-Device-Token",
    "The `device_token` answered to the device's first registration (`POST /v1/devices`): "
    "proof of being that device, which X-Device-Id is not. It lets the device update and read "
    "its registration and bring its anonymous cart along on sign-in. A wrong token proves "
    "nothing (it is not an error).",
)
CAMPAIGN = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": "campaign field of the link the shopper came from, for attribution",
        "schema": {"type": "string", "maxLength": MAX_CAMPAIGN_VALUE},
    }
    for name in (
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "click_id",
        "gclid",
        "fbclid",
    )
]

REQUEST_ID_IN = _header(
    REQUEST_ID_HEADER,
    "Your id for this request, echoed back: up to 64 letters, digits or `._:-` (anything else "
    "is replaced by a fresh id).",
)
REQUEST_ID = {
    "description": "This request's id (the client's own `X-Request-Id` when it sent one); "
    "quote it when reporting a problem.",
    "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN},
}
ETAG = {
    "description": "The cart's version; send it back as `If-Match`.",
    "schema": {"type": "string", "examples": ['"3"']},
}
REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def request_parameters(reads: frozenset[Reads], owns: Owns | None) -> list[dict[str, Any]]:
    """The headers (and campaign parameters) an operation honours, beyond its own."""
    parameters = [REQUEST_ID_IN]
    if owns is Owns.CART:
        parameters.append(CART_TOKEN)
    if owns is Owns.ORDER:
        parameters.append(ORDER_TOKEN)
    if owns is not None and Reads.CUSTOMER_TOKEN not in reads:
        parameters.append(CUSTOMER_TOKEN)
    if Reads.IDEMPOTENCY_KEY in reads:
        parameters.append(IDEMPOTENCY_KEY)
    if Reads.IF_MATCH in reads:
        parameters.append(IF_MATCH)
    if Reads.CUSTOMER_TOKEN in reads:
        parameters.append(CUSTOMER_TOKEN)
    if Reads.DEVICE in reads:
        parameters.append(DEVICE_ID)
        parameters.extend(CAMPAIGN)
    if Reads.DEVICE_TOKEN in reads:
        parameters.append(DEVICE_TOKEN)
    return parameters


def success_headers(reads: frozenset[Reads]) -> dict[str, Any]:
    headers: dict[str, Any] = {REQUEST_ID_HEADER: REQUEST_ID}
    if Reads.ETAG in reads:
        headers["ETag"] = ETAG
    if Reads.IDEMPOTENCY_KEY in reads:
        headers["Idempotent-Replayed"] = REPLAYED
    return headers
