"""One customer, as every capability knows them: the CRM view, one call instead of six.

Assembled from each capability's own read functions (identity, consents, orders, returns,
carts, the outbox, reviews, the journal's stage), never by querying their tables again. What
the customer may not see of themselves is left out: push tokens, cart and order secrets.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import msgspec

from omniloom.domain.customer_value import PAID_STATUSES, lifetime_value
from omniloom.domain.errors import NotFound
from omniloom.domain.identity import IdentifierKind
from omniloom.services.carts.cart import DEFAULT_CURRENCY
from omniloom.services.identity import customer_data, devices
from omniloom.services.identity import identify as identity
from omniloom.services.identity.customer_data import Consents
from omniloom.services.identity.identify import CustomerView, IdentifierView
from omniloom.services.insight import stages
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.views import CartView, OrderView
from omniloom.services.messaging import consent, mailbox
from omniloom.services.messaging.consent import MessagingSettings
from omniloom.services.messaging.outbox import MessageView
from omniloom.services.orders import lifecycle as orders
from omniloom.services.returns.history import ReturnRecord, returns_of
from omniloom.services.reviews.reviews import ReviewView, reviews_by

PAGE = 100


class ProfileDevice(msgspec.Struct, frozen=True):
    """A device in the customer's graph, as registered (never its push token)."""

    id: str
    channel: str | None = None  # None: seen, but never registered through /v1/devices
    platform: str | None = None
    app_version: str | None = None
    registered_at: datetime | None = None
    updated_at: datetime | None = None


class LifetimeValue(msgspec.Struct, frozen=True):
    currency: str
    orders: int  # paid orders, on every channel
    revenue: int  # their totals, minor units
    refunded: int  # paid back for returns
    net: int  # revenue less refunds


class CustomerProfile(msgspec.Struct, frozen=True):
    customer: CustomerView
    stage: str  # the journey stage (README: Journey stages)
    identifiers: list[IdentifierView]
    devices: list[ProfileDevice]
    consents: Consents  # per purpose, as the storefront asked
    messaging: MessagingSettings  # per messaging channel and tracking, as enforced
    orders: list[OrderView]  # every channel, oldest first
    returns: list[ReturnRecord]
    open_carts: list[CartView]
    messages: list[MessageView]  # every message sent (or suppressed) to them
    reviews: list[ReviewView]
    lifetime_value: LifetimeValue
    channels: list[str]  # the channels they bought on


async def _all_orders(runtime: Runtime, customer_id: str) -> list[OrderView]:
    found: list[OrderView] = []
    cursor: str | None = None
    while True:
        page = await orders.list_orders(runtime, customer_id=customer_id, cursor=cursor, limit=PAGE)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


async def _all_messages(runtime: Runtime, customer_id: str) -> list[MessageView]:
    found: list[MessageView] = []
    after = 0
    while True:
        page = await mailbox.search(
            runtime, mailbox.MessageFilter(customer_id=customer_id), after=after, limit=PAGE
        )
        found.extend(page.items)
        if len(page.items) < PAGE:
            return found
        after = page.last_seq


async def _open_carts(runtime: Runtime, customer_id: str) -> list[CartView]:
    try:
        return [await customer_data.current_cart(runtime, customer_id)]
    except NotFound:
        return []


async def _device(runtime: Runtime, device_id: str) -> ProfileDevice:
    try:
        found = await devices.get_device(runtime, device_id)
    except NotFound:
        return ProfileDevice(device_id)
    return ProfileDevice(
        found.id,
        found.channel,
        found.platform,
        found.app_version,
        found.registered_at,
        found.updated_at,
    )


async def profile(runtime: Runtime, customer_id: str) -> CustomerProfile:
    customer = await identity.get_customer(runtime, customer_id)  # 404 for nobody
    graph, consents, messaging, stage = await asyncio.gather(
        identity.identity_graph(runtime, customer_id),
        customer_data.consents(runtime, customer_id),
        runtime.read(lambda conn: consent.read_settings(conn, customer_id)),
        stages.current_stage(runtime, customer_id),
    )
    bought, returned, carts, messages, written = await asyncio.gather(
        _all_orders(runtime, customer_id),
        returns_of(runtime, customer_id),
        _open_carts(runtime, customer_id),
        _all_messages(runtime, customer_id),
        reviews_by(runtime, customer_id),
    )
    device_ids = [i.value for i in graph.identifiers if i.kind == IdentifierKind.DEVICE_ID]
    known_devices = [await _device(runtime, device_id) for device_id in device_ids]
    paid = [(order.status, order.total) for order in bought]
    revenue, net = lifetime_value(paid, (r.amount for r in returned))
    return CustomerProfile(
        customer=customer,
        stage=stage.value,
        identifiers=graph.identifiers,
        devices=known_devices,
        consents=consents,
        messaging=messaging,
        orders=bought,
        returns=returned,
        open_carts=carts,
        messages=messages,
        reviews=written,
        lifetime_value=LifetimeValue(
            currency=bought[0].currency if bought else DEFAULT_CURRENCY,
            orders=sum(1 for order in bought if order.status in PAID_STATUSES),
            revenue=revenue,
            refunded=revenue - net,
            net=net,
        ),
        channels=sorted({order.channel for order in bought}),
    )
