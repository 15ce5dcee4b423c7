"""Stock moved by hand: transfers between locations, and adjustments after a count or a loss.

Both go through the ledger like every other change to stock. A transfer is two movements of
kind ``transfer`` in one unit of work, off the source's shelf and onto the destination's, and
happens only while the source has the units beyond what is reserved there. An adjustment is
one movement of kind ``adjustment`` carrying its reason, by a signed ``delta`` or to a
``counted`` level; one that would leave a location with fewer units than are held for carts
and orders (and so below zero) is refused with 409 ``stock_below_reserved``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from omniloom.domain.errors import (
    FieldError,
    InsufficientStock,
    InvalidInput,
    StockBelowReserved,
    UnknownSku,
)
from omniloom.services.checkout.commands import ShortText, Sku
from omniloom.services.inventory.conflicts import count_shelf
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import inventory_queries, ledger_queries
from omniloom.store.inventory_queries import Ref

LocationId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Units = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
SignedUnits = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class NewTransfer(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    from_location: LocationId
    to_location: LocationId
    quantity: Units
    reason: ShortText | None = None


class NewAdjustment(msgspec.Struct, forbid_unknown_fields=True):
    """By ``delta`` (units found or lost) or to ``counted`` (what a count found), one of them."""

    sku: Sku
    location: LocationId
    reason: ShortText
    delta: SignedUnits | None = None
    counted: Count | None = None


class LevelView(msgspec.Struct, frozen=True):
    location_id: str
    on_hand: int
    reserved: int
    available: int


class TransferView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    quantity: int
    source: LevelView
    destination: LevelView
    reason: str | None


class AdjustmentView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    delta: int
    reason: str
    level: LevelView
    counted: int | None = None


class MovementView(msgspec.Struct, frozen=True):
    seq: int
    sku: str
    location_id: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    occurred_at: datetime
    order_id: str | None = None
    cart_id: str | None = None
    reason: str | None = None


class MovementPage(msgspec.Struct, frozen=True):
    items: list[MovementView]
    next_after: int


async def read_movements(
    runtime: Runtime,
    *,
    after: int,
    limit: int,
    sku: str | None = None,
    location_id: str | None = None,
    kind: str | None = None,
) -> MovementPage:
    rows = await runtime.read(
        lambda conn: ledger_queries.movements(
            conn, after=after, limit=limit, sku=sku, location_id=location_id, kind=kind
        )
    )
    items = [MovementView(**row) for row in rows]
    return MovementPage(items, items[-1].seq if items else after)


def transfer(runtime: Runtime, unit: Unit, command: NewTransfer) -> TransferView:
    _known_sku(runtime, unit, command.sku)
    _known_location(runtime, command.from_location, "from_location")
    _known_location(runtime, command.to_location, "to_location")
    if command.from_location == command.to_location:
        raise InvalidInput(
            "A transfer moves stock between two different locations.",
            errors=[FieldError("to_location", "same as from_location")],
        )
    sku, quantity = command.sku, command.quantity
    ref = Ref(unit.now, reason=command.reason)
    if not inventory_queries.shift(
        unit.conn, "transfer", sku, command.from_location, -quantity, ref
    ):
        available = _level(unit, sku, command.from_location).available
        raise InsufficientStock(
            f"Only {available} of {sku} available at {command.from_location}; "
            f"{quantity} cannot be transferred.",
            errors=[FieldError("quantity", f"at most {available} available at the source")],
            extra={"sku": sku, "requested": quantity, "available": available},
        )
    arrived = inventory_queries.shift(
        unit.conn, "transfer", sku, command.to_location, quantity, ref
    )
    assert arrived, "units put on a shelf always land"
    transfer_id = unit.ids.new("trf")
    unit.emit(
        "inventory.transferred",
        sku=sku,
        location_id=command.from_location,
        to_location_id=command.to_location,
        quantity=quantity,
        reason=command.reason,
        transfer_id=transfer_id,
    )
    return TransferView(
        transfer_id,
        sku,
        quantity,
        _level(unit, sku, command.from_location),
        _level(unit, sku, command.to_location),
        command.reason,
    )


def adjust(runtime: Runtime, unit: Unit, command: NewAdjustment) -> AdjustmentView:
    _known_sku(runtime, unit, command.sku)
    _known_location(runtime, command.location, "location")
    if (command.delta is None) == (command.counted is None):
        raise InvalidInput(
            "Adjust by `delta` or to a `counted` level, one of them.",
            errors=[FieldError("delta", "give delta or counted, not both or neither")],
        )
    if command.counted is not None:
        # A count goes through the same path as a till settling an oversell: it also clears
        # the oversold flag and closes the SKU's open conflicts there. The figure it replaced
        # was read under the row's lock, so the delta is what the ledger recorded.
        replaced, closed = count_shelf(
            unit, command.sku, command.location, command.counted, command.reason
        )
        delta = command.counted - replaced
    else:
        delta, closed = command.delta or 0, []
        if delta == 0:
            raise InvalidInput(
                "An adjustment of 0 units changes nothing.",
                errors=[FieldError("delta", "must not be 0")],
            )
        ref = Ref(unit.now, reason=command.reason)
        if not inventory_queries.shift(
            unit.conn, "adjustment", command.sku, command.location, delta, ref
        ):
            before = _level(unit, command.sku, command.location)
            raise StockBelowReserved(
                f"{command.location} has {before.on_hand} of {command.sku} with "
                f"{before.reserved} reserved; an adjustment of {delta} would leave less than is "
                "reserved.",
                errors=[
                    FieldError("delta", f"would leave fewer than the {before.reserved} reserved")
                ],
                extra={"on_hand": before.on_hand, "reserved": before.reserved},
            )
    adjustment_id = unit.ids.new("adj")
    unit.emit(
        "inventory.adjusted",
        sku=command.sku,
        location_id=command.location,
        delta=delta,
        counted=command.counted,
        reason=command.reason,
        adjustment_id=adjustment_id,
        resolved_conflicts=closed,
    )
    return AdjustmentView(
        adjustment_id,
        command.sku,
        delta,
        command.reason,
        _level(unit, command.sku, command.location),
        command.counted,
    )


def _level(unit: Unit, sku: str, location_id: str) -> LevelView:
    level = inventory_queries.stock_level(unit.conn, sku, location_id)
    on_hand, reserved = level or (0, 0)
    return LevelView(location_id, on_hand, reserved, max(on_hand - reserved, 0))


def _known_sku(runtime: Runtime, unit: Unit, sku: str) -> None:
    if runtime.catalog.product_of_sku(unit.conn, sku) is None:
        raise UnknownSku(f"There is no SKU {sku!r}.", errors=[FieldError("sku", "unknown")])


def _known_location(runtime: Runtime, location_id: str, field: str) -> None:
    if location_id not in runtime.layout.locations:
        raise InvalidInput(
            f"There is no location {location_id!r}.",
            errors=[FieldError(field, "unknown location")],
        )
