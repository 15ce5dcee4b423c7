"""Shoppable posts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from omniloom.store import raw
from omniloom.store.tables import social_posts

COLUMNS = tuple(column.name for column in social_posts.columns)
_GET = select(social_posts).where(social_posts.c.id == bindparam("post_id"))
_INSERT = social_posts.insert()


def get(conn: Connection, post_id: str) -> dict[str, Any] | None:
    row = raw.first(conn, _GET, {"post_id": post_id})
    return None if row is None else dict(zip(COLUMNS, row, strict=True))


def insert(conn: Connection, row: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT, [row])
