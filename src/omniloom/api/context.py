"""The touchpoint context a client sends: its device id, and campaign fields from the link.

Devices identify themselves with ``X-Device-Id`` (one id per browser or app install). Campaign
fields come as the query parameters a landing link carries (``utm_source``, ``utm_medium``,
``utm_campaign``, ``utm_term``, ``utm_content`` and a click id as ``click_id``, ``gclid`` or
``fbclid``), on whichever request the client forwards them with.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from omniloom.api.headers import header
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.services.kernel.context import NO_CONTEXT, TouchContext

DEVICE_HEADER = "x-device-id"
DEVICE_HEADER_BYTES = DEVICE_HEADER.encode()
_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")
_CAMPAIGN_PARAMS = {
    "utm_source": "source",
    "utm_medium": "medium",
    "utm_campaign": "campaign",
    "utm_term": "term",
    "utm_content": "content",
    "click_id": "click_id",
    "gclid": "click_id",
    "fbclid": "click_id",
}
MAX_CAMPAIGN_VALUE = 200


def touch_context(request: Request[Any, Any, Any]) -> TouchContext:
    device_id = header(request, DEVICE_HEADER_BYTES)
    if device_id is not None and not _DEVICE_ID.match(device_id):
        raise InvalidInput(
            "X-Device-Id must be 1 to 80 letters, digits or . _ : -",
            errors=[FieldError("X-Device-Id", "not a device id")],
        )
    campaign: dict[str, str] = {}
    if request.scope["query_string"]:
        for param, field in _CAMPAIGN_PARAMS.items():
            value = request.query_params.get(param)
            if value is None:
                continue
            if len(value) > MAX_CAMPAIGN_VALUE:
                raise InvalidInput(
                    f"{param} is longer than {MAX_CAMPAIGN_VALUE} characters.",
                    errors=[FieldError(param, "too long")],
                )
            campaign[field] = value
    if device_id is None and not campaign:
        return NO_CONTEXT
    return TouchContext(device_id=device_id, campaign=campaign or None)
