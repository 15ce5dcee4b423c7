"""The vocabulary the catalog is described in: departments, their leaf categories, and how a leaf
names, varies and prices its products. The merchandise itself is in ``departments``.
"""

from __future__ import annotations

from dataclasses import dataclass

from omniloom.seed.model import AttributeValue

# Leaves whose products are named after their material ("Relaxed Linen Shirt").
MATERIAL_TITLE = ("{adjective} {material} {noun}",)


@dataclass(frozen=True, slots=True)
class Axis:
    """One way a product varies (size, colour, …); each combination of values is a SKU."""

    name: str
    values: tuple[str, ...]
    # How many of the values one product is offered in (inclusive bounds).
    count: tuple[int, int]
    # Sizes come in runs (S–XL), so a product takes a contiguous slice; colours are a free pick.
    contiguous: bool = False
    # Price uplift in percent per value, aligned with `values` (a king duvet costs more).
    surcharge_pct: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Leaf:
    """A category products are filed under."""

    slug: str
    name: str
    # Share of the catalog, relative to the other leaves.
    weight: int
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    # List price band in whole dollars for the base variant.
    price: tuple[int, int]
    axes: tuple[Axis, ...] = ()
    # Product-level attributes, each drawn from its choices; "material" also feeds the title.
    attributes: tuple[tuple[str, tuple[AttributeValue, ...]], ...] = ()
    # Title patterns over {adjective}, {noun}, {noun2} (a second, different noun), {material}.
    titles: tuple[str, ...] = ("{adjective} {noun}",)
    # Apparel and footwear titles say who they are cut for ("Women's …").
    gendered: bool = False
    # Books carry an author, drawn from the same name pools as the customers.
    authored: bool = False


@dataclass(frozen=True, slots=True)
class Department:
    slug: str
    name: str
    brands: tuple[str, ...]
    # Sentences a description is assembled from.
    features: tuple[str, ...]
    leaves: tuple[Leaf, ...]


def colours(palette: tuple[str, ...], most: int) -> Axis:
    return Axis("colour", palette, (1, most))


def sizes(values: tuple[str, ...], fewest: int, most: int, surcharge: tuple[int, ...] = ()) -> Axis:
    return Axis("size", values, (fewest, most), contiguous=True, surcharge_pct=surcharge)


def pages(low: int, high: int) -> tuple[str, tuple[AttributeValue, ...]]:
    return ("pages", tuple(range(low, high + 1, 8)))
