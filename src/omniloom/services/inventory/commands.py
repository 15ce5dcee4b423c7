"""Request bodies for stock conflicts and each location's negative-stock policy."""

from __future__ import annotations

from typing import Annotated

import msgspec

from omniloom.services.checkout.commands import Identifier


class ResolveConflict(msgspec.Struct, forbid_unknown_fields=True):
    counted: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    associate_id: Identifier | None = None


class StockPolicy(msgspec.Struct, forbid_unknown_fields=True):
    negative_stock_allowed: bool
