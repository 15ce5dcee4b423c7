"""Request bodies the services accept, decoded and validated in one pass by msgspec."""

from __future__ import annotations

from typing import Annotated

import msgspec

from omniloom.domain.carts import Quantity

Sku = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
CardNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9 \-]{12,23}$")]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
Identifier = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class CreateCart(msgspec.Struct, forbid_unknown_fields=True):
    device_id: Identifier | None = None
    customer_id: Identifier | None = None


class AddLine(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    quantity: Quantity = 1


class ChangeLine(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Quantity


class Address(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    line1: ShortText
    city: ShortText
    postal_code: Annotated[str, msgspec.Meta(min_length=2, max_length=12)]
    country: CountryCode
    line2: ShortText | None = None
    region: ShortText | None = None
    # Where to deliver, for routing to the nearest location; without them the city or postal
    # code stands in (see omniloom.domain.routing).
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    def __post_init__(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give latitude and longitude together, or neither")


class ShipToHome(msgspec.Struct, forbid_unknown_fields=True):
    """Endless aisle: order a SKU at the till for delivery to the shopper's address."""

    sku: Sku
    address: Address
    quantity: Quantity = 1


class Ship(msgspec.Struct, tag="ship", tag_field="type", forbid_unknown_fields=True):
    address: Address


class Pickup(msgspec.Struct, tag="pickup", tag_field="type", forbid_unknown_fields=True):
    location_id: Identifier


class CardPayment(msgspec.Struct, tag="card", tag_field="method", forbid_unknown_fields=True):
    card_number: CardNumber


class Checkout(msgspec.Struct, forbid_unknown_fields=True):
    fulfilment: Ship | Pickup
    payment: CardPayment
    email: Email | None = None
