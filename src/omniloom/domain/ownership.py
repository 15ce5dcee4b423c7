"""Secrets that prove a shopper owns a cart, an order or a device, without storing them.

A cart's, an order's or a device's token is a keyed hash (HMAC-SHA256) of its id under the
store's access key: checking one costs a hash and no database read, every server process
sharing the key agrees, and nobody without the key can make one. The key comes from the runtime
(see ``services.kernel.access_key``); under a seeded run it is derived from the seed, so a
replay hands out the same tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CART_TOKEN_PREFIX = "ct_"
ORDER_TOKEN_PREFIX = "ot_"
DEVICE_TOKEN_PREFIX = "dt_"
# 128 bits of the HMAC: far beyond guessing, short enough for a header or a link.
_TOKEN_BYTES = 16


class OwnershipProofs:
    """Makes and checks the per-cart, per-order and per-device secrets."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the access key needs at least 16 bytes")
        self._key = key

    def _token(self, prefix: str, kind: bytes, object_id: str) -> str:
        digest = hmac.new(self._key, kind + b":" + object_id.encode(), hashlib.sha256).digest()
        return prefix + base64.urlsafe_b64encode(digest[:_TOKEN_BYTES]).rstrip(b"=").decode()

    def cart_token(self, cart_id: str) -> str:
        return self._token(CART_TOKEN_PREFIX, b"cart", cart_id)

    def order_token(self, order_id: str) -> str:
        return self._token(ORDER_TOKEN_PREFIX, b"order", order_id)

    def device_token(self, device_id: str) -> str:
        """Handed to the install that registers the device id first: a device id travels in
        every request (X-Device-Id) and is no secret; this token is."""
        return self._token(DEVICE_TOKEN_PREFIX, b"device", device_id)

    def is_cart_token(self, cart_id: str, token: str | None) -> bool:
        return _same(self.cart_token(cart_id), token)

    def is_order_token(self, order_id: str, token: str | None) -> bool:
        return _same(self.order_token(order_id), token)

    def is_device_token(self, device_id: str, token: str | None) -> bool:
        return _same(self.device_token(device_id), token)

    def derive(self, purpose: str) -> bytes:
        """A key for another purpose (ids' random part), independent of the tokens'."""
        return hmac.new(self._key, b"derive:" + purpose.encode(), hashlib.sha256).digest()


def _same(expected: str, presented: str | None) -> bool:
    # compare_digest refuses non-ASCII text; such a header is simply not a token.
    return (
        presented is not None and presented.isascii() and hmac.compare_digest(expected, presented)
    )
