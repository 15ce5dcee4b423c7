"""Who a shopper is: identifier kinds and their normal forms, passwords, and cart-merge rules.

Identifiers are stored in their normal form, so ``Ada@Example.com`` and ``ada@example.com`` are
one identifier and a phone typed with spaces matches the same phone typed without. Everything
here is pure: the salt for a password hash is handed in, never drawn here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from omniloom.domain.carts import MAX_LINE_QUANTITY
from omniloom.domain.errors import FieldError, InvalidInput


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LOYALTY_ID = "loyalty_id"
    SOCIAL_HANDLE = "social_handle"
    DEVICE_ID = "device_id"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s().\-/]")
_HANDLE = re.compile(r"^[a-z0-9._]{1,60}$")
_TOKEN = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")
MAX_EMAIL = 200


def normalise(kind: IdentifierKind, value: str, field: str = "value") -> str:
    """The stored form of an identifier, or InvalidInput naming ``field``."""
    text = value.strip()
    normal: str | None
    if kind is IdentifierKind.EMAIL:
        # The whole address is lower-cased: real mail hosts treat the local part as
        # case-insensitive, and two accounts differing only by case would be a support nightmare.
        normal = text.lower() if _EMAIL.match(text) and len(text) <= MAX_EMAIL else None
    elif kind is IdentifierKind.PHONE:
        normal = _phone(text)
    elif kind is IdentifierKind.SOCIAL_HANDLE:
        handle = text.removeprefix("@").lower()
        normal = handle if _HANDLE.match(handle) else None
    elif kind is IdentifierKind.LOYALTY_ID:
        normal = text.upper() if _TOKEN.match(text) else None
    else:
        normal = text if _TOKEN.match(text) else None
    if normal is None:
        raise InvalidInput(
            f"{value!r} is not a valid {kind}.", errors=[FieldError(field, f"not a valid {kind}")]
        )
    return normal


def _phone(text: str) -> str | None:
    """E.164: a leading + (``00`` counts as +) and 7 to 15 digits, punctuation dropped.

    The demo store is in the US, so a number typed without a country code the way people say
    it there (10 digits, or 11 starting with 1) is read as a US number, as a cashier would.
    """
    compact = _PHONE_NOISE.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact.removeprefix("+")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    if compact.startswith("+"):
        return compact
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return "+" + digits


# --- Passwords: simulation-grade but real (salted scrypt, constant-time comparison) ----------

MIN_PASSWORD = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
PASSWORD_ALGORITHM = f"scrypt:n={_SCRYPT_N},r={_SCRYPT_R},p={_SCRYPT_P}"


def hash_password(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return digest.hex()


def password_matches(password: str, salt: bytes, stored_hash: str, algorithm: str) -> bool:
    if algorithm != PASSWORD_ALGORITHM:
        return False
    return hmac.compare_digest(hash_password(password, salt), stored_hash)


def token_digest(token: str) -> str:
    """Tokens are stored hashed: a leaked table does not sign anybody in."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- Cart merge --------------------------------------------------------------------------------


class MergeStrategy(StrEnum):
    """How a SKU present in both carts ends up; a SKU in only one cart is always kept.

    ``sum`` adds the quantities (capped at the line maximum), ``max`` keeps the larger,
    ``guest_wins`` keeps the anonymous cart's quantity, ``customer_wins`` the signed-in
    customer's.
    """

    SUM = "sum"
    MAX = "max"
    GUEST_WINS = "guest_wins"
    CUSTOMER_WINS = "customer_wins"


@dataclass(frozen=True, slots=True)
class MergedLine:
    sku: str
    quantity: int
    customer_quantity: int  # 0 when the SKU was only in the guest cart
    guest_quantity: int  # 0 when the SKU was only in the customer's cart


def merge_lines(
    customer: Mapping[str, int],
    guest: Mapping[str, int],
    strategy: MergeStrategy,
    max_quantity: int = MAX_LINE_QUANTITY,
) -> list[MergedLine]:
    """The customer's lines in their order, then the guest-only lines in theirs.

    Quantities are positive on input; the result never exceeds ``max_quantity`` per line, so a
    merge can never produce a line the cart would refuse.
    """
    merged: list[MergedLine] = []
    for sku, mine in customer.items():
        theirs = guest.get(sku, 0)
        merged.append(MergedLine(sku, _resolve(mine, theirs, strategy, max_quantity), mine, theirs))
    for sku, theirs in guest.items():
        if sku not in customer:
            merged.append(MergedLine(sku, min(theirs, max_quantity), 0, theirs))
    return merged


def _resolve(mine: int, theirs: int, strategy: MergeStrategy, cap: int) -> int:
    if theirs == 0:
        return min(mine, cap)
    match strategy:
        case MergeStrategy.SUM:
            quantity = mine + theirs
        case MergeStrategy.MAX:
            quantity = max(mine, theirs)
        case MergeStrategy.GUEST_WINS:
            quantity = theirs
        case MergeStrategy.CUSTOMER_WINS:
            quantity = mine
    return min(quantity, cap)
