"""Tender arithmetic at the register: how a total is split across card, gift card and cash.

Pure integer arithmetic in minor units. Card and gift-card tenders name the exact amount they
pay and may never pay more than is still due (nobody gets change from a card); cash is applied
last, covers whatever is left and gives the rest back as change. A shop may round cash to a
coin increment (5 minor units where the smallest coin is gone); card amounts are never rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from omniloom.domain.errors import FieldError, InvalidInput, TenderShort


class TenderType(StrEnum):
    CARD = "card"
    CASH = "cash"
    GIFT_CARD = "gift_card"


@dataclass(frozen=True, slots=True)
class TenderRequest:
    """One tender as the register offers it: ``amount`` for card/gift card, ``tendered`` cash."""

    type: TenderType
    amount: int
    reference: str | None = None  # card number or gift-card code


@dataclass(frozen=True, slots=True)
class AppliedTender:
    type: TenderType
    amount: int  # what this tender pays towards the total
    tendered: int  # what was handed over (differs from amount only for cash)
    change: int
    reference: str | None
    index: int  # position in the request, for field paths in errors


@dataclass(frozen=True, slots=True)
class Allocation:
    total: int  # what is due, after cash rounding when cash settles the rest
    tenders: tuple[AppliedTender, ...]

    @property
    def change(self) -> int:
        return sum(tender.change for tender in self.tenders)

    @property
    def cash_taken(self) -> int:
        """Cash that stays in the drawer: handed over minus change given back."""
        return sum(t.amount for t in self.tenders if t.type is TenderType.CASH)


def round_cash(amount: int, increment: int = 1) -> int:
    """``amount`` rounded half up to a multiple of ``increment`` (cash rounding)."""
    if increment < 1:
        raise ValueError("the cash increment is at least one minor unit")
    return (amount + increment // 2) // increment * increment


def allocate(total: int, tenders: list[TenderRequest], cash_increment: int = 1) -> Allocation:
    """Apply ``tenders`` to ``total`` or raise; the applied amounts always sum to the total.

    Raises ``TenderShort`` when the tenders do not cover the total and ``InvalidInput`` when a
    card or gift card offers more than is due or cash is offered where none is needed.
    """
    if total < 0:
        raise ValueError("a total is never negative")
    cash = [i for i, tender in enumerate(tenders) if tender.type is TenderType.CASH]
    if len(cash) > 1:
        raise InvalidInput(
            "Offer cash as one tender with the whole amount handed over.",
            errors=[FieldError(f"tenders[{cash[1]}]", "a second cash tender")],
        )
    applied: list[AppliedTender] = []
    due = total
    for index, tender in enumerate(tenders):
        if tender.type is TenderType.CASH:
            continue
        if tender.amount > due:
            raise InvalidInput(
                f"A {tender.type} tender may pay at most the {due} still due, not {tender.amount}.",
                errors=[FieldError(f"tenders[{index}].amount", f"at most {due}")],
            )
        due -= tender.amount
        applied.append(
            AppliedTender(tender.type, tender.amount, tender.amount, 0, tender.reference, index)
        )
    if cash:
        index = cash[0]
        tendered = tenders[index].amount
        if due == 0:
            raise InvalidInput(
                "Nothing is left to pay in cash.",
                errors=[FieldError(f"tenders[{index}]", "not needed")],
            )
        rounded = round_cash(due, cash_increment)
        if tendered < rounded:
            raise TenderShort(
                f"The tenders cover {total - due + tendered} of {total - due + rounded}.",
                extra={"due": rounded, "short_by": rounded - tendered},
            )
        total += rounded - due
        applied.append(
            AppliedTender(TenderType.CASH, rounded, tendered, tendered - rounded, None, index)
        )
        due = 0
    if due > 0:
        raise TenderShort(
            f"The tenders cover {total - due} of {total}.",
            extra={"due": total, "short_by": due},
        )
    applied.sort(key=lambda tender: tender.index)
    return Allocation(total=total, tenders=tuple(applied))
