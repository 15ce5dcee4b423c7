"""Messaging rules: consent per channel, what may be sent, what counts as behaviour.

Pure rules only. Who agreed to what is stored per customer and channel; these functions decide
what that agreement allows.
"""

from __future__ import annotations

from enum import StrEnum


class MessagingChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    RCS = "rcs"
    PUSH = "push"
    # Membership of a retargeting audience on a social platform.
    SOCIAL = "social"
    # Not a channel messages go out on: whether the shopper's behaviour may be recorded at all.
    TRACKING = "tracking"


# The channels a message can be sent on (tracking is consent only).
SENDING_CHANNELS: tuple[MessagingChannel, ...] = (
    MessagingChannel.EMAIL,
    MessagingChannel.SMS,
    MessagingChannel.RCS,
    MessagingChannel.PUSH,
    MessagingChannel.SOCIAL,
)


class ConsentState(StrEnum):
    SUBSCRIBED = "subscribed"
    NOT_SUBSCRIBED = "not_subscribed"
    # Asked, not yet confirmed (a double opt-in email not yet clicked): nothing is sent.
    PENDING = "pending"
    # Said no after saying yes, or replied STOP.
    UNSUBSCRIBED = "unsubscribed"


class SuppressReason(StrEnum):
    """Why a message was not sent; every refusal is recorded with one of these."""

    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"
    CONVERTED = "converted"
    CAPPED = "capped"
    OUT_OF_STOCK = "out_of_stock"
    CART_EMPTY = "cart_empty"
    # Browsing ended in a cart: the cart's own flow takes over.
    ADDED_TO_CART = "added_to_cart"
    # A follow-up about an order that was since cancelled or (partly) returned.
    CANCELLED = "cancelled"
    RETURNED = "returned"


def may_send(state: ConsentState | None) -> bool:
    """Only an explicit, confirmed yes lets a message out; never answered means no."""
    return state is ConsentState.SUBSCRIBED


def may_track(state: ConsentState | None) -> bool:
    """Behaviour is recorded unless the shopper said no.

    A shopper who never answered is tracked, as the storefront did before consent was asked
    for; one who refused (``not_subscribed`` or ``unsubscribed``) leaves no behavioural trace.
    """
    return state not in (ConsentState.NOT_SUBSCRIBED, ConsentState.UNSUBSCRIBED)


# Touchpoints that record what a shopper looked at or did, as opposed to business records
# (orders, payments, stock, returns) that are kept whatever the shopper agreed to.
BEHAVIOURAL_PREFIXES = ("catalog.", "cart.", "wishlist.", "device.", "link.")
BEHAVIOURAL_TYPES = frozenset({"customer.identified", "customer.signed_in", "customer.signed_out"})


def is_behavioural(event_type: str) -> bool:
    return event_type in BEHAVIOURAL_TYPES or event_type.startswith(BEHAVIOURAL_PREFIXES)


# Carrier keywords (the ones Twilio honours) for an inbound reply.
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
START_WORDS = frozenset({"start", "yes", "unstop"})


def inbound_consent(text: str) -> ConsentState | None:
    """The consent an inbound reply sets: ``STOP`` unsubscribes, ``START`` subscribes again."""
    word = text.strip().lower()
    if word in STOP_WORDS:
        return ConsentState.UNSUBSCRIBED
    if word in START_WORDS:
        return ConsentState.SUBSCRIBED
    return None
