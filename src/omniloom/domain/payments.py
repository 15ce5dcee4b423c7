"""A simulated card processor with documented magic numbers.

The numbers follow the convention card processors' test modes use, so client developers can
provoke each outcome on purpose:

===================  =========================  ==============================
card number          outcome                    problem ``code``
===================  =========================  ==============================
4242 4242 4242 4242  approved                   -
5555 5555 5555 4444  approved (Mastercard)      -
4000 0000 0000 0002  generic decline            ``card_declined``
4000 0000 0000 9995  insufficient funds         ``insufficient_funds``
4000 0000 0000 0069  expired card               ``expired_card``
4000 0000 0000 0119  processing error           ``processing_error``
===================  =========================  ==============================

Any other number that passes the Luhn check is approved; one that fails it is invalid input.
"""

from __future__ import annotations

import msgspec

from omniloom.domain.errors import FieldError, InvalidInput, PaymentDeclined

DECLINES: dict[str, tuple[str, str]] = {
    "4000000000000002": ("card_declined", "The card was declined."),
    "4000000000009995": ("insufficient_funds", "The card has insufficient funds."),
    "4000000000000069": ("expired_card", "The card has expired."),
    "4000000000000119": ("processing_error", "The processor could not process the card."),
}


class CardCharge(msgspec.Struct, frozen=True):
    brand: str
    last4: str
    amount: int


# A digit in a doubled position counts as the digits of its double: 7 -> 14 -> 1 + 4 = 5.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(number: str) -> bool:
    """The Luhn check of an all-digit ``number``: every second digit from the right doubled."""
    kept = sum(map(int, number[::-2]))
    doubled = sum(map(_DOUBLED.__getitem__, map(int, number[-2::-2])))
    return (kept + doubled) % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or number.startswith("2"):
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "card"


def charge_card(number: str, amount: int, field: str = "payment.card_number") -> CardCharge:
    """Authorise and capture ``amount`` on a simulated card, or raise the documented error."""
    number = number.replace(" ", "").replace("-", "")
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
        raise InvalidInput(
            "The card number is not valid.",
            errors=[FieldError(field, "not a valid card number (Luhn check failed)")],
        )
    decline = DECLINES.get(number)
    if decline is not None:
        raise PaymentDeclined(*decline)
    return CardCharge(brand=card_brand(number), last4=number[-4:], amount=amount)
