"""Registers and associate shifts: a cash float in, counted cash out, the variance kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from omniloom.domain.errors import NotFound, ShiftAlreadyOpen, ShiftNotOpen
from omniloom.services.carts.cart import DEFAULT_CURRENCY
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import (
    RegisterView,
    ShiftView,
    check_store,
    register_at,
    register_view,
    shift_view,
)
from omniloom.store import pos_queries


async def list_registers(runtime: Runtime, location_id: str | None) -> list[RegisterView]:
    def work(conn: Connection) -> list[RegisterView]:
        return [register_view(row) for row in pos_queries.registers_at(conn, location_id)]

    return await runtime.read(work)


def open_shift(
    unit: Unit, location_id: str | None, register_id: str, *, associate_id: str, opening_float: int
) -> ShiftView:
    register = register_at(unit.conn, location_id, register_id)
    shift_id = unit.ids.new("shift")
    # The claim decides: a register that already has an open shift refuses a second one.
    if not pos_queries.claim_register(unit.conn, register_id, shift_id):
        current = pos_queries.register(unit.conn, register_id) or register
        raise ShiftAlreadyOpen(
            f"Register {register_id} already has shift {current['open_shift_id']} open; "
            "close it first.",
            extra={"open_shift_id": current["open_shift_id"]},
        )
    row = {
        "id": shift_id,
        "register_id": register_id,
        "location_id": register["location_id"],
        "status": "open",
        "currency": DEFAULT_CURRENCY,
        "opened_by": associate_id,
        "opened_at": unit.now,
        "opening_float": opening_float,
        "cash_sales": 0,
        "cash_refunds": 0,
        "sales_count": 0,
        "closed_by": None,
        "closed_at": None,
        "expected_cash": None,
        "counted_cash": None,
        "variance": None,
    }
    pos_queries.insert_shift(unit.conn, row)
    unit.emit(
        "pos.shift_opened",
        shift_id=shift_id,
        register_id=register_id,
        location_id=register["location_id"],
        associate_id=associate_id,
        opening_float=opening_float,
    )
    return shift_view(row)


def close_shift(
    unit: Unit, location_id: str | None, shift_id: str, *, associate_id: str, counted_cash: int
) -> ShiftView:
    shift = _shift_at(unit.conn, location_id, shift_id)
    expected = pos_queries.close_shift(
        unit.conn, shift_id, closed_by=associate_id, now=unit.now, counted=counted_cash
    )
    if expected is None:
        raise ShiftNotOpen(f"Shift {shift_id} is already closed.")
    pos_queries.free_register(unit.conn, shift["register_id"], shift_id)
    unit.emit(
        "pos.shift_closed",
        shift_id=shift_id,
        register_id=shift["register_id"],
        location_id=shift["location_id"],
        associate_id=associate_id,
        expected_cash=expected,
        counted_cash=counted_cash,
        variance=counted_cash - expected,
    )
    return shift_view(_shift_at(unit.conn, location_id, shift_id))


async def get_shift(runtime: Runtime, location_id: str | None, shift_id: str) -> ShiftView:
    return await runtime.read(lambda conn: shift_view(_shift_at(conn, location_id, shift_id)))


def _shift_at(conn: Connection, location_id: str | None, shift_id: str) -> dict[str, Any]:
    shift = pos_queries.shift(conn, shift_id)
    if shift is None:
        raise NotFound(f"There is no shift {shift_id!r}.")
    check_store(location_id, shift["location_id"], f"Shift {shift_id}")
    return shift
