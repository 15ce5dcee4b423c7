"""Creating and listing promotions (admin)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.channels import SELLING_CHANNELS, Channel
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.domain.promotions import PromotionKind
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import catalog_queries, promotion_queries


class NewPromotion(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    kind: PromotionKind
    channels: list[Channel] | None = None
    category_id: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    percent_off: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    buy: Annotated[int, msgspec.Meta(ge=0, le=99)] = 0
    get: Annotated[int, msgspec.Meta(ge=0, le=99)] = 0


class PromotionView(msgspec.Struct, frozen=True):
    id: str
    name: str
    kind: str
    channels: list[str] | None
    category_id: str | None
    percent_off: int
    buy: int
    get: int


def _check(conn: Connection, command: NewPromotion) -> None:
    if command.kind is PromotionKind.PERCENT_OFF and not 1 <= command.percent_off <= 100:
        raise InvalidInput(
            "A percent-off promotion takes 1 to 100 percent.",
            errors=[FieldError("percent_off", "1 to 100 for percent_off")],
        )
    if command.kind is PromotionKind.BUY_X_GET_Y and (command.buy < 1 or command.get < 1):
        raise InvalidInput(
            "Buy X get Y needs at least one to buy and one to get.",
            errors=[FieldError("buy" if command.buy < 1 else "get", "at least 1")],
        )
    for index, channel in enumerate(command.channels or []):
        if channel not in SELLING_CHANNELS:
            raise InvalidInput(
                f"{channel} is not a selling channel.",
                errors=[FieldError(f"channels[{index}]", "not a selling channel")],
            )
    if command.category_id is not None and not catalog_queries.category_exists(
        conn, command.category_id
    ):
        raise InvalidInput(
            f"There is no category {command.category_id!r}.",
            errors=[FieldError("category_id", "unknown category")],
        )


def create(unit: Unit, command: NewPromotion) -> PromotionView:
    _check(unit.conn, command)
    row: dict[str, Any] = {
        "id": unit.ids.new("promo"),
        "name": command.name,
        "kind": command.kind.value,
        "channels": None if command.channels is None else sorted(map(str, command.channels)),
        "category_id": command.category_id,
        "percent_off": command.percent_off,
        "buy_quantity": command.buy,
        "get_quantity": command.get,
        "active": True,
    }
    promotion_queries.insert(unit.conn, row)
    unit.emit("promotion.created", promotion_id=row["id"], name=row["name"])
    return _view(row)


async def list_active(runtime: Runtime) -> list[PromotionView]:
    def work(conn: Connection) -> list[PromotionView]:
        return [
            PromotionView(
                id=p.id,
                name=p.name,
                kind=p.kind.value,
                channels=None if p.channels is None else sorted(p.channels),
                category_id=p.category_id,
                percent_off=p.percent_off,
                buy=p.buy,
                get=p.get,
            )
            for p in promotion_queries.active(conn)
        ]

    return await runtime.read(work)


def _view(row: dict[str, Any]) -> PromotionView:
    return PromotionView(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        channels=row["channels"],
        category_id=row["category_id"],
        percent_off=row["percent_off"],
        buy=row["buy_quantity"],
        get=row["get_quantity"],
    )
