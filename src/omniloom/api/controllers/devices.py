"""Devices: every browser and app install registers once and names itself on each request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from omniloom.api.http import idempotent_post, runtime_of
from omniloom.services.identity import devices
from omniloom.services.identity.devices import DeviceView, RegisterDevice


class DeviceController(Controller):
    path = "/v1/devices"
    tags = ["devices"]

    @post(
        "/",
        summary="Register a device (app installs: platform, version, push token)",
        status_code=200,
    )
    async def register(self, request: Request[Any, Any, Any], data: RegisterDevice) -> DeviceView:
        return await idempotent_post(
            request, lambda unit: devices.register(unit, data), status_code=200
        )

    @get("/{device_id:str}", summary="A registered device")
    async def read(self, request: Request[Any, Any, Any], device_id: str) -> DeviceView:
        return await devices.get_device(runtime_of(request), device_id)
