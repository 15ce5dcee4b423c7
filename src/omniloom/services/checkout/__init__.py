"""Checkout: a cart becomes a paid order; the request bodies it accepts."""
