"""The arguments of every action a scenario step can take, as typed Structs.

Each Struct is what the step's action key holds (``add_line: {sku: …, quantity: 2}``). A field a
scenario may fill from an expression is typed ``X[...]`` (the value or a ``${…}`` string); the
loader checks that such a string really holds a placeholder. Fields left out take the actor's
current cart, order, sale or customer where that is the natural meaning.
"""

from __future__ import annotations

from typing import Any

import msgspec

# A value, or a string with a ${…} placeholder standing for one.
XInt = int | str
XList = list[Any] | str
XDict = dict[str, Any] | str


class _Args(msgspec.Struct, forbid_unknown_fields=True):
    pass


class Browse(_Args):
    category: str | None = None
    q: str | None = None
    limit: XInt | None = None
    cursor: str | None = None


class Search(_Args):
    q: str
    limit: XInt | None = None


class ViewProduct(_Args):
    product: str


class FindSku(_Args):
    """A catalog lookup: the first SKU (in catalog order) with enough units available."""

    at: str
    min_available: XInt = 1
    # And none available here (the endless aisle: what this store lacks).
    not_at: str | None = None
    # Look only at products of this category, or matching this search.
    category: str | None = None
    q: str | None = None
    # Products to look through before giving up.
    scan: XInt = 60


class StockLevels(_Args):
    product: str
    sku: str


class RegisterDevice(_Args):
    platform: str
    app_version: str | None = None
    push_token: str | None = None


class CreateCart(_Args):
    customer_id: str | None = None


class AddLine(_Args):
    sku: str
    quantity: XInt = 1
    cart: str | None = None


class ChangeLine(_Args):
    line: str
    quantity: XInt
    cart: str | None = None


class RemoveLine(_Args):
    line: str
    cart: str | None = None


class CartRef(_Args):
    cart: str | None = None


class ShareCart(_Args):
    via: str = "device"
    cart: str | None = None


class Wishlist(_Args):
    product: str
    customer: str | None = None


class Register(_Args):
    email: str | None = None
    password: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class SignIn(_Args):
    email: str | None = None
    password: str | None = None
    cart_id: str | None = None
    merge: str | None = None


class Identify(_Args):
    kind: str
    value: str
    customer_id: str | None = None
    cart_id: str | None = None
    merge: str | None = None


class CustomerRef(_Args):
    customer: str | None = None


class Review(_Args):
    """A rating (1 to 5) of a product the signed-in shopper bought, with optional words."""

    product: str
    rating: XInt
    title: str | None = None
    text: str | None = None


class Consent(_Args):
    purposes: XDict
    customer: str | None = None


class Checkout(_Args):
    """Ship to an address (``ship_to: home`` is the actor's own) or pick up at a store."""

    ship_to: XDict | None = None
    pickup_at: str | None = None
    card: str = "4242424242424242"
    email: str | None = None
    cart: str | None = None


class OrderRef(_Args):
    order: str | None = None


class Return(_Args):
    """Lines default to every line of the order, whole, restocked."""

    order: str | None = None
    lines: XList | None = None
    refund_to: str | None = None
    register_id: str | None = None


class ReturnWithoutReceipt(_Args):
    customer_id: str
    sku: str | None = None
    barcode: str | None = None
    quantity: XInt = 1
    condition: str | None = None


class Exchange(_Args):
    order: str | None = None
    lines: XList = msgspec.field(default_factory=list)
    replacements: XList = msgspec.field(default_factory=list)


class OpenShift(_Args):
    register: str = "reg_nyc_1"
    associate_id: str = "emp_scenario"
    opening_float: XInt = 20_000


class CloseShift(_Args):
    shift: str
    counted_cash: XInt
    associate_id: str = "emp_scenario"


class StartSale(_Args):
    register: str = "reg_nyc_1"
    customer_id: str | None = None


class HandOff(_Args):
    register: str = "reg_nyc_1"
    cart_id: str | None = None
    code: str | None = None


class HandoffCode(_Args):
    cart: str | None = None


class Scan(_Args):
    barcode: str
    quantity: XInt = 1
    sale: str | None = None


class Pay(_Args):
    """Tenders as the till takes them: ``{type: card, card_number, amount}``, ``{type: cash,
    tendered}``, ``{type: gift_card, code, amount}``. Without tenders: one card for the total."""

    tenders: XList | None = None
    sale: str | None = None


class ShipToHome(_Args):
    sku: str
    quantity: XInt = 1
    address: XDict | None = None
    sale: str | None = None


class OfflineBatch(_Args):
    batch_id: str
    sales: XList
    register: str = "reg_nyc_1"


class SocialPost(_Args):
    platform: str
    caption: str
    product_ids: XList


class SocialClick(_Args):
    post: str
    product_id: str
    handle: str | None = None


class SocialOrder(_Args):
    platform: str
    handle: str
    items: XList
    ship_to: XDict | None = None
    card: str = "4242424242424242"
    post_id: str | None = None
    email: str | None = None


class Transfer(_Args):
    sku: str
    from_location: str
    to_location: str
    quantity: XInt
    reason: str | None = None


class Adjustment(_Args):
    sku: str
    location: str
    reason: str
    delta: XInt | None = None
    counted: XInt | None = None


class Wait(_Args):
    """Simulated time to let pass: ``30m``, ``2h``, ``3d``."""

    duration: str


class NoArgs(_Args):
    pass


class Http(_Args):
    """The escape hatch: any route, any body."""

    method: str
    path: str
    json: Any = None
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


class MessagingConsent(_Args):
    """Consent per messaging channel: ``{sms: subscribed, push: unsubscribed, tracking: …}``."""

    channels: XDict
    # The shopper's IANA zone, for quiet hours.
    timezone: str | None = None
    customer: str | None = None


class ExpectMessage(_Args):
    """The next message to the shopper (or to a ``to`` address) in the outbox after ``after``
    (a message's ``seq``), waiting up to ``timeout`` wall seconds; the clock does not move.
    The reply is the message (status 200), or 204 when none came."""

    channel: str | None = None
    to: str = "shopper"
    campaign: str | None = None
    kind: str | None = None
    after: XInt = 0
    timeout: XInt = 5


class OpenLink(_Args):
    """Follow a message's tracked link (``${reminder.link}``) on the step's device."""

    link: str
