"""The demo store's channel merchandising: edit these to seed other ones.

The classic omnichannel example: the e-shop runs buy one get one free on books while the stores
run 20 % off them; next to those, 10 % off kitchen everywhere. One product sells only on social,
and one has an app-only price. They are applied on top of the generated catalog when it is
loaded, so the catalog files under ``seed/`` stay what the generator writes.
"""

from __future__ import annotations

from omniloom.domain.promotions import Promotion, PromotionKind

DEMO_PROMOTIONS: tuple[Promotion, ...] = (
    Promotion(
        id="promo_books_bogo_web",
        name="E-shop: buy one book, get one free",
        kind=PromotionKind.BUY_X_GET_Y,
        channels=frozenset({"web"}),
        category_id="cat_books",
        buy=1,
        get=1,
    ),
    Promotion(
        id="promo_books_20_stores",
        name="In our stores: 20 % off books",
        kind=PromotionKind.PERCENT_OFF,
        channels=frozenset({"pos"}),
        category_id="cat_books",
        percent_off=20,
    ),
    Promotion(
        id="promo_kitchen_10_everywhere",
        name="Everywhere: 10 % off kitchen",
        kind=PromotionKind.PERCENT_OFF,
        category_id="cat_kitchen",
        percent_off=10,
    ),
)


# Sold only in the social shop (the admin key still sees it everywhere).
SOCIAL_EXCLUSIVE_PRODUCTS: tuple[str, ...] = ("prd_000003",)
# product id → percent below the list price that the mobile app charges for each of its SKUs.
APP_ONLY_DISCOUNTS: dict[str, int] = {"prd_000002": 15}


def promotion_row(promotion: Promotion) -> tuple[object, ...]:
    """A promotions table row, in column order."""
    return (
        promotion.id,
        promotion.name,
        promotion.kind.value,
        None if promotion.channels is None else sorted(promotion.channels),
        promotion.category_id,
        promotion.percent_off,
        promotion.buy,
        promotion.get,
        True,
    )
