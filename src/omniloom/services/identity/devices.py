"""Devices introduce themselves: a browser, or an app install with its version and push token.

A device id is no secret (it travels in every request as X-Device-Id, and clients make it up),
so the install that registers an id first is handed the id's ``device_token``: only that token
(or staff) may change what the device reports, read it back, or merge its cart on sign-in. The
push token is the secret of the device's push channel: it is stored, never shown again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import DeviceNotFound, DeviceRegistered, FieldError
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
    """A device as its holder sees it. ``device_token`` is only in the registration's answer:
    keep it, and send it as X-Device-Token."""

    id: str
    channel: str
    platform: str
    app_version: str | None
    has_push_token: bool
    registered_at: datetime
    updated_at: datetime
    device_token: str | None = None


def device_view(row: dict[str, Any]) -> DeviceView:
    """What any route may show of a device: never its push token."""
    return DeviceView(
        id=row["id"],
        channel=row["channel"],
        platform=row["platform"],
        app_version=row["app_version"],
        has_push_token=row["push_token"] is not None,
        registered_at=row["registered_at"],
        updated_at=row["updated_at"],
    )


def register(runtime: Runtime, unit: Unit, command: RegisterDevice, proven: bool) -> DeviceView:
    """Register a device, or update what it reports (a new app version, a new push token).

    ``proven``: the request showed the device's token (or came from staff). Without it a
    registered id is refused: a stranger who learned it could otherwise point its pushes at
    their own phone."""
    existing = device_queries.get(unit.conn, command.id)
    if existing is not None and not proven:
        raise DeviceRegistered(
            f"Device {command.id!r} is registered; send its X-Device-Token to update it, "
            "or register a new id.",
            errors=[FieldError("id", "registered by another install")],
        )
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
    view = device_view(row)
    return msgspec.structs.replace(view, device_token=runtime.proofs.device_token(command.id))


async def get_device(runtime: Runtime, device_id: str) -> DeviceView:
    def work(conn: Connection) -> DeviceView:
        row = device_queries.get(conn, device_id)
        if row is None:
            raise DeviceNotFound(f"There is no device {device_id!r}.")
        return device_view(row)

    return await runtime.read(work)
