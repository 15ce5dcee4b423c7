"""Products, their SKUs and prices, drawn from the catalog specs with a seeded Random.

Everything here is plain Random draws from precomputed pools: no Faker calls per product, so a
catalog of 100,000 products takes seconds rather than minutes.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

from omniloom.domain.channels import SELLING_CHANNELS
from omniloom.seed.barcodes import barcode_for
from omniloom.seed.departments import DEPARTMENTS
from omniloom.seed.model import Attributes, Category, Price, Product, Sku
from omniloom.seed.names import NamePools
from omniloom.seed.progress import Progress, ignore_progress, report_every
from omniloom.seed.specs import Department, Leaf

IMAGE_BASE = "https://img.omniloom.test/products"
CURRENCY = "USD"
# Share of products marked down (list price kept as compare_at), and the markdowns used.
SALE_SHARE = 0.15
SALE_DISCOUNTS_PCT = (15, 20, 25, 30, 40, 50)
# Share of full-price products with a cheaper price on the social channel, so channel-specific
# pricing has something to show.
SOCIAL_DEAL_SHARE = 0.03
SOCIAL_DEAL_PCT = 10
# Most prices end in .99; some brands price in round dollars or halves.
PRICE_ENDINGS = (1, 1, 1, 1, 1, 1, 0, 50)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Catalog:
    categories: list[Category]
    products: list[Product]
    skus: list[Sku]
    prices: list[Price]


def slugify(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower().replace("'", "")).strip("-")


def build_categories() -> list[Category]:
    """Each department followed by its leaves: the order the file and the tree read in."""
    categories: list[Category] = []
    for department in DEPARTMENTS:
        parent = Category(id=f"cat_{department.slug}", slug=department.slug, name=department.name)
        categories.append(parent)
        categories.extend(
            Category(id=f"cat_{leaf.slug}", slug=leaf.slug, name=leaf.name, parent_id=parent.id)
            for leaf in department.leaves
        )
    return categories


def generate_catalog(
    rng: random.Random, names: NamePools, count: int, progress: Progress = ignore_progress
) -> Catalog:
    # One entry per unit of weight makes a weighted draw a single rng.choice.
    weighted = [
        (department, leaf)
        for department in DEPARTMENTS
        for leaf in department.leaves
        for _ in range(leaf.weight)
    ]
    channels = [str(channel) for channel in SELLING_CHANNELS]
    products: list[Product] = []
    skus: list[Sku] = []
    prices: list[Price] = []
    every = report_every(count)
    for number in range(1, count + 1):
        department, leaf = rng.choice(weighted)
        product = _product(rng, names, number, department, leaf, list(channels))
        products.append(product)
        _variants(rng, product, leaf, skus, prices)
        if number % every == 0 or number == count:
            progress("products", number, count)
    return Catalog(build_categories(), products, skus, prices)


def _product(
    rng: random.Random,
    names: NamePools,
    number: int,
    department: Department,
    leaf: Leaf,
    channels: list[str],
) -> Product:
    product_id = f"prd_{number:06d}"
    brand = rng.choice(department.brands)
    attributes: Attributes = {name: rng.choice(choices) for name, choices in leaf.attributes}
    if leaf.authored:
        attributes["author"] = f"{rng.choice(names.first)} {rng.choice(names.last)}"
    noun = rng.choice(leaf.nouns)
    other_noun = rng.choice([n for n in leaf.nouns if n != noun])
    title = rng.choice(leaf.titles).format(
        adjective=rng.choice(leaf.adjectives),
        noun=noun,
        noun2=other_noun,
        material=attributes.get("material", ""),
    )
    gender = attributes.get("gender")
    if leaf.gendered and gender != "Unisex":
        title = f"{gender}'s {title}"
    lead = f"By {attributes['author']}." if leaf.authored else f"From {brand}."
    description = " ".join([lead, *rng.sample(department.features, 2)])
    images = [f"{IMAGE_BASE}/{product_id}/{n}.jpg" for n in range(1, rng.randint(1, 4) + 1)]
    return Product(
        id=product_id,
        slug=f"{slugify(title)}-{number:06d}",
        title=title,
        description=description,
        brand=brand,
        category_id=f"cat_{leaf.slug}",
        attributes=attributes,
        image_urls=images,
        channels=channels,
    )


def _variants(
    rng: random.Random, product: Product, leaf: Leaf, skus: list[Sku], prices: list[Price]
) -> None:
    """Append the product's SKUs and their prices; every combination of axis values is a SKU."""
    offered: list[list[tuple[str, str, int]]] = []
    for axis in leaf.axes:
        size = min(rng.randint(*axis.count), len(axis.values))
        if axis.contiguous:
            start = rng.randint(0, len(axis.values) - size)
            picked = list(range(start, start + size))
        else:
            picked = sorted(rng.sample(range(len(axis.values)), size))
        surcharges = axis.surcharge_pct or (0,) * len(axis.values)
        offered.append([(axis.name, axis.values[i], surcharges[i]) for i in picked])

    low, high = leaf.price
    base_dollars = rng.triangular(low, high, low + (high - low) * 0.3)
    ending = rng.choice(PRICE_ENDINGS)
    roll = rng.random()
    markdown = rng.choice(SALE_DISCOUNTS_PCT) if roll < SALE_SHARE else 0
    social_deal = SALE_SHARE <= roll < SALE_SHARE + SOCIAL_DEAL_SHARE
    number = product.id.removeprefix("prd_")
    for index, combination in enumerate(itertools.product(*offered), start=1):
        code = f"SKU-{number}-{index:02d}"
        values = [value for _, value, _ in combination]
        uplift = sum(surcharge for _, _, surcharge in combination)
        skus.append(
            Sku(
                sku=code,
                product_id=product.id,
                barcode=barcode_for(len(skus)),
                title=" / ".join([product.title, *values]),
                attributes={name: value for name, value, _ in combination},
            )
        )
        list_price = _price(base_dollars * (100 + uplift), ending)
        if markdown:
            sale = min(_price(list_price * (100 - markdown) / 100, ending), list_price - 100)
            prices.append(Price(sku=code, channel="*", amount=sale, compare_at=list_price))
        else:
            prices.append(Price(sku=code, channel="*", amount=list_price))
        if social_deal:
            deal = min(_price(list_price * (100 - SOCIAL_DEAL_PCT) / 100, ending), list_price - 100)
            prices.append(Price(sku=code, channel="social", amount=deal, compare_at=list_price))


def _price(cents: float, ending: int) -> int:
    """Round to whole dollars, then apply the shelf ending (.99, .00 or .50); never below $1."""
    dollars = max(2, round(cents / 100))
    return dollars * 100 - ending
