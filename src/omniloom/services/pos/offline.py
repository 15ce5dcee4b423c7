"""Offline registers: sales a till kept while it had no connection, reconciled as one batch.

The batch is checked whole before anything changes (every item known and sold in store, every
sale's tenders covering its total, card numbers and gift cards real): a malformed batch is
refused and changes nothing. Then the sales are applied against the stock as it is now, oldest
first by the register's clock, each as its own POS order. What the books cannot square is never
hidden: a shortfall becomes a stock conflict, either open (the store's policy let the sale take
stock below zero) or rejected (it did not, and that one sale is left out), and a declined card
rejects its sale the same way. A batch id is reconciled once per register; uploading it again
returns the first result, so a register retrying after a lost response never sells twice.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from omniloom.domain.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    OfflineBatchConflict,
    PaymentDeclined,
    UnknownBarcode,
    UnknownSku,
)
from omniloom.domain.money import line_total, tax_on
from omniloom.domain.payments import charge_card
from omniloom.domain.tenders import TenderRequest, TenderType, allocate
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.pos.common import POS_CHANNEL, pos_price, register_at
from omniloom.services.pos.offline_apply import PlannedLine, PlannedSale, SaleResult, apply_sale
from omniloom.store import pos_offline_queries, pos_queries

# A register's clock may run a little ahead of ours; a sale further in the future is an error.
CLOCK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class OfflineLine:
    quantity: int
    barcode: str | None = None
    sku: str | None = None
    unit_price: int | None = None  # what the register charged; the store's price when absent


@dataclass(frozen=True, slots=True)
class OfflineSale:
    local_id: str
    occurred_at: datetime
    lines: list[OfflineLine]
    tenders: list[TenderRequest]
    shift_id: str | None = None
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class OfflineBatch:
    batch_id: str
    sales: list[OfflineSale]
    fingerprint: str  # of the body as decoded: the same sales give the same fingerprint


class BatchResult(msgspec.Struct, frozen=True):
    batch_id: str
    register_id: str
    location_id: str
    received_at: datetime
    applied: int
    rejected: int
    duplicates: int
    conflicts: int
    sales: list[SaleResult]  # in the order they were applied (the register's clock)
    replayed: bool = False  # True when this batch id was reconciled before


def reconcile(
    runtime: Runtime, unit: Unit, location_id: str | None, register_id: str, batch: OfflineBatch
) -> BatchResult:
    register = register_at(unit.conn, location_id, register_id)
    earlier = pos_offline_queries.batch(unit.conn, register_id, batch.batch_id)
    if earlier is not None:
        fingerprint, stored = earlier
        if fingerprint != batch.fingerprint:
            raise OfflineBatchConflict(
                f"Batch {batch.batch_id} was uploaded before with other sales; "
                "give new sales a new batch id.",
                errors=[FieldError("batch_id", "already used for other sales")],
            )
        first = msgspec.json.decode(stored, type=BatchResult)
        return msgspec.structs.replace(first, replayed=True)
    store = register["location_id"]
    _check_unique(batch.sales)
    plans = [_plan(runtime, unit, register, index, sale) for index, sale in enumerate(batch.sales)]
    # Written first: a second upload of this batch racing this one waits on it, then fails.
    pos_offline_queries.insert_batch(
        unit.conn,
        {
            "register_id": register_id,
            "batch_id": batch.batch_id,
            "location_id": store,
            "fingerprint": batch.fingerprint,
            "result": "",
            "received_at": unit.now,
        },
    )
    oversell = bool(pos_offline_queries.negative_stock_allowed(unit.conn, store))
    ordered = sorted(plans, key=lambda plan: (plan.occurred_at, plan.index))
    results = [
        apply_sale(runtime, unit, register, batch.batch_id, plan, oversell=oversell)
        for plan in ordered
    ]
    result = BatchResult(
        batch_id=batch.batch_id,
        register_id=register_id,
        location_id=store,
        received_at=unit.now,
        applied=sum(r.status == "applied" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        conflicts=sum(len(r.conflicts) for r in results),
        sales=results,
    )
    pos_offline_queries.set_batch_result(
        unit.conn, register_id, batch.batch_id, msgspec.json.encode(result).decode()
    )
    unit.emit(
        "pos.offline_batch_reconciled",
        register_id=register_id,
        location_id=store,
        batch_id=batch.batch_id,
        applied=result.applied,
        rejected=result.rejected,
        duplicates=result.duplicates,
        conflicts=result.conflicts,
    )
    return result


def _check_unique(sales: list[OfflineSale]) -> None:
    seen: set[str] = set()
    for index, sale in enumerate(sales):
        if sale.local_id in seen:
            raise InvalidInput(
                f"Sale {sale.local_id} appears twice in the batch.",
                errors=[FieldError(f"sales[{index}].local_id", "duplicate in this batch")],
            )
        seen.add(sale.local_id)


def _plan(
    runtime: Runtime, unit: Unit, register: dict[str, Any], index: int, sale: OfflineSale
) -> PlannedSale:
    """Price one sale as the register rang it up, or raise naming the field at fault."""
    at = f"sales[{index}]"
    if sale.occurred_at > unit.now + CLOCK_TOLERANCE:
        raise InvalidInput(
            f"Sale {sale.local_id} is dated {sale.occurred_at.isoformat()}, after the server's "
            f"clock ({unit.now.isoformat()}); check the register's clock.",
            errors=[FieldError(f"{at}.occurred_at", "in the future")],
        )
    _check_refs(unit, register["id"], at, sale)
    lines = [_line(runtime, unit, f"{at}.lines[{j}]", line) for j, line in enumerate(sale.lines)]
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        twice = next(j for j, sku in enumerate(skus) if sku in skus[:j])
        raise InvalidInput(
            f"Sale {sale.local_id} lists {skus[twice]} on two lines; give one line per item.",
            errors=[FieldError(f"{at}.lines[{twice}]", "the same item as an earlier line")],
        )
    rate = runtime.layout.locations[register["location_id"]].tax_rate_bps
    line_totals = [
        line_total(line.price.unit_price, line.quantity, line.price.discount) for line in lines
    ]
    total = sum(line_totals) + sum(tax_on(amount, rate) for amount in line_totals)
    try:
        allocation = allocate(total, sale.tenders)
        for j, tender in enumerate(sale.tenders):
            _check_tender(unit, tender, f"{at}.tenders[{j}]")
    except DomainError as error:
        raise _under(error, at, sale.local_id) from None
    return PlannedSale(
        index, sale.local_id, sale.occurred_at, sale.shift_id, sale.customer_id, lines, allocation
    )


def _check_refs(unit: Unit, register_id: str, at: str, sale: OfflineSale) -> None:
    if sale.shift_id is not None:
        shift = pos_queries.shift(unit.conn, sale.shift_id)
        if shift is None or shift["register_id"] != register_id:
            raise InvalidInput(
                f"Shift {sale.shift_id!r} is not a shift of register {register_id}.",
                errors=[FieldError(f"{at}.shift_id", "not a shift of this register")],
            )
    if sale.customer_id is not None and pos_queries.customer(unit.conn, sale.customer_id) is None:
        raise InvalidInput(
            f"There is no customer {sale.customer_id!r}.",
            errors=[FieldError(f"{at}.customer_id", "unknown customer")],
        )


def _line(runtime: Runtime, unit: Unit, at: str, line: OfflineLine) -> PlannedLine:
    if (line.barcode is None) == (line.sku is None):
        raise InvalidInput(
            "Name each line's item by exactly one of barcode or sku.",
            errors=[FieldError(at, "give barcode or sku, not both or neither")],
        )
    if line.barcode is not None:
        sku = pos_queries.sku_for_barcode(unit.conn, line.barcode)
        if sku is None:
            raise UnknownBarcode(
                f"No item has barcode {line.barcode!r}.",
                errors=[FieldError(f"{at}.barcode", "unknown barcode")],
            )
        field_name = f"{at}.barcode"
    else:
        sku, field_name = str(line.sku), f"{at}.sku"
    product = runtime.catalog.product_of_sku(unit.conn, sku)
    if product is None or not product.sold_on(POS_CHANNEL):
        raise UnknownSku(
            f"SKU {sku} is not sold in stores.",
            errors=[FieldError(field_name, "unknown or not sold in store")],
        )
    list_price = pos_price(runtime, unit.conn, sku)
    price = (
        runtime.catalog.line_price(unit.conn, sku, line.quantity, POS_CHANNEL)
        if line.unit_price is None
        else LinePrice(line.unit_price, 0, None)
    )
    charged = line.unit_price is not None
    return PlannedLine(sku, product.sku(sku).title, line.quantity, price, list_price, charged)


def _check_tender(unit: Unit, tender: TenderRequest, at: str) -> None:
    """Refuse what no retry could fix (a mistyped card, an unknown gift card) up front; a
    decline depends on the moment and is left to reconciliation."""
    if tender.type is TenderType.CARD:
        with contextlib.suppress(PaymentDeclined):
            charge_card(tender.reference or "", tender.amount, field=f"{at}.card_number")
    code = tender.reference or ""
    if tender.type is TenderType.GIFT_CARD and pos_queries.gift_card(unit.conn, code) is None:
        raise InvalidInput(
            f"There is no gift card {code!r}.",
            errors=[FieldError(f"{at}.code", "unknown gift card")],
        )


def _under(error: DomainError, at: str, local_id: str) -> DomainError:
    """The same error, its field paths placed under the sale they belong to."""
    error.detail = f"Sale {local_id}: {error.detail}"
    error.args = (error.detail,)
    if error.errors:
        error.errors = [
            FieldError(e.field if e.field.startswith(at) else f"{at}.{e.field}", e.message)
            for e in error.errors
        ]
    else:
        error.errors = [FieldError(f"{at}.tenders", error.detail)]
    return error
