"""Product reviews: what a review may say, and how ratings add up.

A review is a shopper's rating (1 to 5 stars) of a product they bought, on any channel, with
an optional title and text. One review per customer and product: writing again replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_RATING = 1
MAX_RATING = 5
MAX_TITLE = 120
MAX_TEXT = 4_000
# The order statuses that mean the shopper has the product (or had it): paid and onward.
BOUGHT_STATUSES = ("paid", "fulfilled", "ready_for_pickup", "picked_up")


def cleaned(text: str | None) -> str | None:
    """Surrounding whitespace dropped; a blank title or text is no title or text."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def average(counts: Mapping[int, int]) -> float | None:
    """The mean rating to two decimals, from reviews per rating; None before the first."""
    total = sum(counts.values())
    if not total:
        return None
    return round(sum(rating * count for rating, count in counts.items()) / total, 2)


def histogram(counts: Mapping[int, int]) -> dict[str, int]:
    """Reviews per star, every star named: {"1": 0, …, "5": 12}."""
    return {str(stars): counts.get(stars, 0) for stars in range(MIN_RATING, MAX_RATING + 1)}


def author_name(first_name: str, last_name: str) -> str:
    """How a reviewer is shown in public: first name and last initial ("Grace H.")."""
    initial = last_name.strip()[:1]
    return f"{first_name.strip()} {initial}." if initial else first_name.strip()
