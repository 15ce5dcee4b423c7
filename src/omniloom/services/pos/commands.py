"""Request bodies the till accepts (registers, shifts, sales, tenders, offline batches).

Decoded and validated in one pass by msgspec; the mappers at the end turn them into the
services' own records, so the controllers only route.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from omniloom.domain.carts import MAX_CART_LINES, Quantity
from omniloom.domain.tenders import TenderRequest, TenderType
from omniloom.services.checkout.commands import CardNumber, Identifier, ShortText, Sku
from omniloom.services.pos import offline

Amount = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]
Cash = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
GiftCardCode = Annotated[str, msgspec.Meta(min_length=4, max_length=40)]
# Why a cashier may change a price; the code is stored on the line and audited in the event log.
ReasonCode = Literal[
    "price_match", "damaged", "manager_discount", "employee_discount", "promotion", "price_error"
]


class OpenShift(msgspec.Struct, forbid_unknown_fields=True):
    associate_id: Identifier
    opening_float: Cash


class CloseShift(msgspec.Struct, forbid_unknown_fields=True):
    associate_id: Identifier
    counted_cash: Cash


class StartSale(msgspec.Struct, forbid_unknown_fields=True):
    customer_id: Identifier | None = None


class HandOff(msgspec.Struct, forbid_unknown_fields=True):
    """Name the cart by its id or by the short code the shopper's app shows."""

    cart_id: Identifier | None = None
    code: Annotated[str, msgspec.Meta(min_length=4, max_length=12)] | None = None


class IssueHandoffCode(msgspec.Struct, forbid_unknown_fields=True):
    cart_id: Identifier


class Scan(msgspec.Struct, forbid_unknown_fields=True):
    barcode: Barcode
    quantity: Quantity = 1


class AttachCustomer(msgspec.Struct, forbid_unknown_fields=True):
    customer_id: Identifier


class PriceOverride(msgspec.Struct, forbid_unknown_fields=True):
    unit_price: Cash
    reason_code: ReasonCode
    associate_id: Identifier | None = None


class VoidSale(msgspec.Struct, forbid_unknown_fields=True):
    reason: ShortText | None = None


class CardTender(msgspec.Struct, tag="card", tag_field="type", forbid_unknown_fields=True):
    card_number: CardNumber
    amount: Amount


class CashTender(msgspec.Struct, tag="cash", tag_field="type", forbid_unknown_fields=True):
    tendered: Amount


class GiftCardTender(msgspec.Struct, tag="gift_card", tag_field="type", forbid_unknown_fields=True):
    code: GiftCardCode
    amount: Amount


Tender = CardTender | CashTender | GiftCardTender


class Pay(msgspec.Struct, forbid_unknown_fields=True):
    tenders: Annotated[list[Tender], msgspec.Meta(min_length=1, max_length=10)]


def tender_request(tender: Tender) -> TenderRequest:
    match tender:
        case CardTender(card_number=number, amount=amount):
            return TenderRequest(TenderType.CARD, amount, number)
        case CashTender(tendered=tendered):
            return TenderRequest(TenderType.CASH, tendered)
        case GiftCardTender(code=code, amount=amount):
            return TenderRequest(TenderType.GIFT_CARD, amount, code)
    raise AssertionError(tender)  # pragma: no cover - the union is exhaustive


# The register's own clock, with its UTC offset: a bare local time would be ambiguous.
LocalTime = Annotated[datetime, msgspec.Meta(tz=True)]
MAX_BATCH_SALES = 200


class OfflineLine(msgspec.Struct, forbid_unknown_fields=True):
    """One item as rung up: by barcode or SKU, at the price the register charged (if given)."""

    quantity: Quantity
    barcode: Barcode | None = None
    sku: Sku | None = None
    unit_price: Cash | None = None


class OfflineSale(msgspec.Struct, forbid_unknown_fields=True):
    local_id: Identifier
    occurred_at: LocalTime
    lines: Annotated[list[OfflineLine], msgspec.Meta(min_length=1, max_length=MAX_CART_LINES)]
    tenders: Annotated[list[Tender], msgspec.Meta(min_length=1, max_length=10)]
    shift_id: Identifier | None = None
    customer_id: Identifier | None = None


class OfflineBatch(msgspec.Struct, forbid_unknown_fields=True):
    batch_id: Identifier
    sales: Annotated[list[OfflineSale], msgspec.Meta(min_length=1, max_length=MAX_BATCH_SALES)]


def offline_batch(data: OfflineBatch) -> offline.OfflineBatch:
    sales = [
        offline.OfflineSale(
            local_id=sale.local_id,
            occurred_at=sale.occurred_at,
            lines=[
                offline.OfflineLine(line.quantity, line.barcode, line.sku, line.unit_price)
                for line in sale.lines
            ],
            tenders=[tender_request(tender) for tender in sale.tenders],
            shift_id=sale.shift_id,
            customer_id=sale.customer_id,
        )
        for sale in data.sales
    ]
    # Of the batch as decoded, so spacing or key order in a retried upload does not matter.
    fingerprint = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    return offline.OfflineBatch(data.batch_id, sales, fingerprint)
