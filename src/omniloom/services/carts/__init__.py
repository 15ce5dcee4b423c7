"""Carts: one cart for every channel and device, its share links and merges."""
