"""Cart hand-off: the shopper's web or app cart is loaded onto a register, the same cart.

The app asks for a short code (valid for a few minutes on the simulated clock) and shows it;
the cashier types or scans it. A register may also load a cart by its id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from omniloom.domain.carts import CartStatus
from omniloom.domain.errors import CartNotActive, CartNotFound, FieldError, InvalidInput
from omniloom.services.carts import cart as carts
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import SaleView, open_shift_of, register_at, sale_view
from omniloom.services.pos.sales import new_sale
from omniloom.store import cart_queries, pos_queries

CODE_TTL = timedelta(minutes=15)
CODE_LENGTH = 6


class HandoffCode(msgspec.Struct, frozen=True):
    code: str
    cart_id: str
    expires_at: datetime


def issue_code(unit: Unit, cart_id: str) -> HandoffCode:
    cart = cart_queries.cart(unit.conn, cart_id)
    if cart is None:
        raise CartNotFound(f"There is no cart {cart_id!r}.")
    if cart["status"] != CartStatus.ACTIVE:
        raise CartNotActive(f"The cart is {cart['status']} and cannot be handed off.")
    # The tail of a fresh id: short enough to read out, drawn from the same (seeded) sequence.
    code = unit.ids.new("hoff")[-CODE_LENGTH:].upper()
    expires_at = unit.now + CODE_TTL
    pos_queries.insert_handoff_code(
        unit.conn,
        {"code": code, "cart_id": cart_id, "created_at": unit.now, "expires_at": expires_at},
    )
    unit.emit(
        "pos.handoff_code_issued",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        expires_at=expires_at.isoformat(),
    )
    return HandoffCode(code=code, cart_id=cart_id, expires_at=expires_at)


def _cart_of_code(unit: Unit, code: str) -> str:
    found = pos_queries.handoff_code(unit.conn, code.strip().upper())
    # One use only: on PostgreSQL two tills may read the same code; the delete decides which.
    if (
        found is None
        or found["expires_at"] <= unit.now
        or not pos_queries.delete_handoff_code(unit.conn, found["code"])
    ):
        raise InvalidInput(
            "That hand-off code is unknown or has expired; ask the shopper for a new one.",
            errors=[FieldError("code", "unknown or expired")],
        )
    return str(found["cart_id"])


def hand_off(
    runtime: Runtime,
    unit: Unit,
    location_id: str | None,
    register_id: str,
    *,
    cart_id: str | None,
    code: str | None,
) -> SaleView:
    """Load a cart started on another device onto this register."""
    register = register_at(unit.conn, location_id, register_id)
    shift_id = open_shift_of(register)
    if cart_id is None:
        cart_id = _cart_of_code(unit, code or "")
    existing = pos_queries.sale(unit.conn, cart_id)
    if existing is not None:
        raise CartNotActive(
            f"Cart {cart_id} is already at register {existing['register_id']} "
            f"({existing['status']}).",
            extra={"register_id": existing["register_id"]},
        )
    cart = carts.begin_change(unit, cart_id, None)
    # Stock the shopper's device held elsewhere goes back; the sale takes from this store.
    stock.release_cart_holds(unit, cart_id)
    sale = new_sale(unit, register, cart_id, "handoff")
    unit.emit(
        "pos.cart_handed_off",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        register_id=register_id,
        shift_id=shift_id,
        from_channel=cart["channel"],
        device_id=cart["device_id"],
    )
    return sale_view(runtime, unit.conn, sale)
