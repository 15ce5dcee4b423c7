"""Promotions as stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from omniloom.domain.promotions import Promotion, PromotionKind
from omniloom.store import changes, raw
from omniloom.store.tables import promotions

PROMOTIONS = "promotions"
_ACTIVE = select(promotions).where(promotions.c.active.is_(True)).order_by(promotions.c.id)
_INSERT = promotions.insert()
COLUMNS = tuple(column.name for column in promotions.columns)


def active(conn: Connection) -> list[Promotion]:
    return [_promotion(dict(zip(COLUMNS, row, strict=True))) for row in raw.rows(conn, _ACTIVE)]


def insert(conn: Connection, row: dict[str, Any]) -> None:
    changes.touch(conn, PROMOTIONS, row["id"])
    raw.insert_many(conn, _INSERT, [row])


def _promotion(row: dict[str, Any]) -> Promotion:
    return Promotion(
        id=row["id"],
        name=row["name"],
        kind=PromotionKind(row["kind"]),
        channels=None if row["channels"] is None else frozenset(row["channels"]),
        category_id=row["category_id"],
        percent_off=row["percent_off"],
        buy=row["buy_quantity"],
        get=row["get_quantity"],
    )
