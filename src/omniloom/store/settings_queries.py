"""Small persisted settings (the id sequence, the reservation policy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from omniloom.store.tables import api_keys, settings


def get(conn: Connection, key: str) -> Any | None:
    return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()


def put(conn: Connection, key: str, value: Any) -> None:
    updated = conn.execute(
        settings.update().where(settings.c.key == key).values(value=value)
    ).rowcount
    if not updated:
        conn.execute(settings.insert().values(key=key, value=value))


def all_api_keys(conn: Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(select(api_keys)).mappings()]
