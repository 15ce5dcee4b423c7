"""What a customer brought back, wherever they bought it and wherever it came back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.services.kernel.runtime import Runtime
from omniloom.store import return_queries


class ReturnedLine(msgspec.Struct, frozen=True):
    sku: str
    quantity: int
    condition: str  # restock or damaged
    amount: int


class ReturnRecord(msgspec.Struct, frozen=True):
    id: str
    order_id: str | None  # None: taken back without a receipt
    channel: str  # where it came back: pos at a store, any other key by mail
    location_id: str | None  # the store, or None by mail
    refund_to: str
    amount: int  # refunded, in minor units
    created_at: datetime
    lines: list[ReturnedLine]


def _record(row: dict[str, Any]) -> ReturnRecord:
    return ReturnRecord(
        id=row["id"],
        order_id=row["order_id"],
        channel=row["channel"],
        location_id=row["location_id"],
        refund_to=row["refund_to"],
        amount=row["amount"],
        created_at=row["created_at"],
        lines=[
            ReturnedLine(line["sku"], line["quantity"], line["condition"], line["amount"])
            for line in row["lines"]
        ],
    )


async def returns_of(runtime: Runtime, customer_id: str) -> list[ReturnRecord]:
    def work(conn: Connection) -> list[ReturnRecord]:
        return [_record(row) for row in return_queries.of_customer(conn, customer_id)]

    return await runtime.read(work)
