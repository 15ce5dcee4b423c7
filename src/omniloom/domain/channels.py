"""Channels, the API keys that open them, and what each key may reach."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Channel(StrEnum):
    WEB = "web"
    MOBILE = "mobile"
    POS = "pos"
    SOCIAL = "social"
    MESSAGING = "messaging"
    ADMIN = "admin"


SELLING_CHANNELS: tuple[Channel, ...] = (
    Channel.WEB,
    Channel.MOBILE,
    Channel.POS,
    Channel.SOCIAL,
    Channel.MESSAGING,
)


class Scope(StrEnum):
    STOREFRONT = "storefront"  # catalog, carts, checkout, own orders
    POS = "pos"
    ADMIN = "admin"


class ApiKey(msgspec.Struct, frozen=True):
    key: str
    name: str
    channel: Channel
    scopes: frozenset[Scope]
    location_id: str | None = None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


def demo_api_keys() -> list[ApiKey]:
    """The deterministic keys every demo store is seeded with (shown by the README)."""
    storefront = frozenset({Scope.STOREFRONT})
    return [
        ApiKey("olk_web_demo", "Demo web storefront", Channel.WEB, storefront),
        ApiKey("olk_mobile_demo", "Demo mobile app", Channel.MOBILE, storefront),
        ApiKey("olk_social_demo", "Demo social shop", Channel.SOCIAL, storefront),
        ApiKey("olk_messaging_demo", "Demo messaging", Channel.MESSAGING, storefront),
        ApiKey(
            "olk_pos_nyc_demo",
            "Demo POS New York",
            Channel.POS,
            frozenset({Scope.POS}),
            location_id="loc_store_nyc",
        ),
        ApiKey(
            "olk_admin_demo",
            "Demo administrator",
            Channel.ADMIN,
            frozenset({Scope.ADMIN, Scope.STOREFRONT, Scope.POS}),
        ),
    ]
