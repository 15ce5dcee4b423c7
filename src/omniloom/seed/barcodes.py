"""EAN-13 barcodes for seeded SKUs."""

from __future__ import annotations

# The body is 12 digits; multiplying one sequence number by an odd number that is not a multiple
# of five permutes 0..10**11-1, so neighbouring SKUs get unrelated-looking barcodes that still
# can never collide.
_SCATTER = 7_919_813
_OFFSET = 31_415_926_535
_RANGE = 10**11
_ZERO = ord("0")


def ean13_check_digit(body: str) -> int:
    """The check digit that completes a 12-digit EAN-13 body."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"an EAN-13 body is 12 digits, got {body!r}")
    # Summing the ASCII codes and taking out the code of "0" once per unit of weight (6 digits
    # weigh 1, 6 weigh 3) is the digit sum without a per-digit int(); this runs once per SKU.
    raw = body.encode("ascii")
    total = sum(raw[0::2]) + 3 * sum(raw[1::2]) - _ZERO * 24
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def barcode_for(sequence: int) -> str:
    """The barcode of the ``sequence``-th SKU (0-based), unique for every sequence number.

    The leading 2 puts every code in GS1's restricted-circulation range (prefixes 20-29, meant
    for in-store numbering), so a seeded barcode can never be mistaken for a real product's.
    """
    if not 0 <= sequence < _RANGE:
        raise ValueError(f"barcode sequence out of range: {sequence}")
    body = f"2{(sequence * _SCATTER + _OFFSET) % _RANGE:011d}"
    return body + str(ean13_check_digit(body))
