"""Analytics commands (placeholder until the attribution work lands)."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(subparsers: Any) -> None:
    """Register analytics sub-commands on the top-level parser."""
    _ = (subparsers, argparse)
