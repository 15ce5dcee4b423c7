"""Naming an item at the till: by SKU or by the barcode on its tag, exactly one of them."""

from __future__ import annotations

from typing import Annotated

import msgspec

from omniloom.domain.errors import (
    FieldError,
    InvalidInput,
    OutOfScope,
    UnknownBarcode,
    UnknownSku,
)
from omniloom.services.catalog.cache import ProductEntry
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import pos_queries

Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


def resolve_item(
    runtime: Runtime, unit: Unit, sku: str | None, barcode: str | None, at: str = ""
) -> tuple[str, ProductEntry]:
    """The SKU named by ``sku`` or ``barcode`` and its product; ``at`` prefixes field paths."""
    if (sku is None) == (barcode is None):
        raise InvalidInput(
            "Name the item by `sku` or by `barcode`, one of them.",
            errors=[FieldError(f"{at}sku", "give sku or barcode, not both or neither")],
        )
    code = sku if barcode is None else pos_queries.sku_for_barcode(unit.conn, barcode)
    if code is None:
        raise UnknownBarcode(
            f"No item has barcode {barcode!r}.",
            errors=[FieldError(f"{at}barcode", "unknown barcode")],
        )
    product = runtime.catalog.product_of_sku(unit.conn, code)
    if product is None:
        raise UnknownSku(f"There is no SKU {code!r}.", errors=[FieldError(f"{at}sku", "unknown")])
    return code, product


def store_of(location_id: str | None) -> str:
    """The till's store: exchanges and returns without a receipt happen at one."""
    if location_id is None:
        raise OutOfScope("This happens at a store's till: use that store's POS key.")
    return location_id
