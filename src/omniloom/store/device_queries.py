"""Registered devices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from omniloom.store import raw
from omniloom.store.tables import devices

COLUMNS = tuple(column.name for column in devices.columns)
_GET = select(devices).where(devices.c.id == bindparam("device_id"))
_INSERT = devices.insert()
_UPDATE = (
    update(devices)
    .where(devices.c.id == bindparam("b_id"))
    .values(
        platform=bindparam("b_platform"),
        app_version=bindparam("b_app_version"),
        push_token=bindparam("b_push_token"),
        updated_at=bindparam("b_now"),
    )
)


def get(conn: Connection, device_id: str) -> dict[str, Any] | None:
    row = raw.first(conn, _GET, {"device_id": device_id})
    return None if row is None else dict(zip(COLUMNS, row, strict=True))


def insert(conn: Connection, row: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT, [row])


def update_registration(conn: Connection, row: dict[str, Any]) -> None:
    raw.execute(
        conn,
        _UPDATE,
        {
            "b_id": row["id"],
            "b_platform": row["platform"],
            "b_app_version": row["app_version"],
            "b_push_token": row["push_token"],
            "b_now": row["updated_at"],
        },
    )
