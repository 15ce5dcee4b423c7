"""Devices introduce themselves: a browser, or an app install with its version and push token."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import device_queries

DeviceId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._:\-]{1,80}$")]


class Platform(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


class RegisterDevice(msgspec.Struct, forbid_unknown_fields=True):
    id: DeviceId
    platform: Platform
    app_version: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z.\-+]{1,40}$")] | None = None
    push_token: Annotated[str, msgspec.Meta(min_length=8, max_length=255)] | None = None


class DeviceView(msgspec.Struct, frozen=True):
    id: str
    channel: str
    platform: str
    app_version: str | None
    push_token: str | None
    registered_at: datetime
    updated_at: datetime


def register(unit: Unit, command: RegisterDevice) -> DeviceView:
    """Register a device, or update what it reports (a new app version, a new push token)."""
    existing = device_queries.get(unit.conn, command.id)
    row: dict[str, Any] = {
        "id": command.id,
        "channel": existing["channel"] if existing else unit.channel,
        "platform": command.platform.value,
        "app_version": command.app_version,
        "push_token": command.push_token,
        "registered_at": existing["registered_at"] if existing else unit.now,
        "updated_at": unit.now,
    }
    if existing is None:
        device_queries.insert(unit.conn, row)
    else:
        device_queries.update_registration(unit.conn, row)
    unit.emit(
        "device.registered" if existing is None else "device.updated",
        device=command.id,
        platform=row["platform"],
        app_version=command.app_version,
        push_enabled=command.push_token is not None,
    )
    return DeviceView(**row)


async def get_device(runtime: Runtime, device_id: str) -> DeviceView:
    def work(conn: Connection) -> DeviceView:
        row = device_queries.get(conn, device_id)
        if row is None:
            raise NotFound(f"There is no device {device_id!r}.")
        return DeviceView(**row)

    return await runtime.read(work)
