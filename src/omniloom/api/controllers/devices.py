"""Devices: every browser and app install registers once and names itself on each request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from omniloom.api.http import idempotent_post, runtime_of
from omniloom.api.ownership import device_proven, prove_device
from omniloom.services.identity import devices
from omniloom.services.identity.devices import DeviceView, RegisterDevice


class DeviceController(Controller):
    path = "/v1/devices"
    tags = ["devices"]

    @post(
        "/",
        summary="Register a device (app installs: platform, version, push token)",
        description=(
            "The first registration of an id answers its `device_token`: keep it and send it "
            "as X-Device-Token, with X-Device-Id. Updating a registered device (a new app "
            "version or push token) needs that token, else 409 `device_registered`. The push "
            "token is never shown again (`has_push_token`)."
        ),
        status_code=200,
    )
    async def register(self, request: Request[Any, Any, Any], data: RegisterDevice) -> DeviceView:
        runtime = runtime_of(request)
        proven = device_proven(request, data.id)
        return await idempotent_post(
            request, lambda unit: devices.register(runtime, unit, data, proven), status_code=200
        )

    @get(
        "/{device_id:str}",
        summary="A registered device (its X-Device-Token, a till or the admin key)",
    )
    async def read(self, request: Request[Any, Any, Any], device_id: str) -> DeviceView:
        prove_device(request, device_id)
        return await devices.get_device(runtime_of(request), device_id)
