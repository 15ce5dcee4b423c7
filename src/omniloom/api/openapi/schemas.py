"""Corrections to the schemas Litestar derives from the views' types.

Views carry statuses and channels as plain ``str`` (they are read straight from rows), so the
document would show free text where a client needs the closed list to switch on; the values
come from the domain's enums here. Two enums are both called ``Platform`` (device platforms and
social platforms), which Litestar disambiguates with module paths a client generator rejects;
each gets a name of its own. ``int | float`` becomes ``oneOf [integer, number]``, which 7.0
matches twice; a JSON number is what is meant. Request bodies decoded with
``forbid_unknown_fields`` refuse a field they do not know, so their schemas say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from omniloom.analytics.journeys import CHANNEL_KEYS
from omniloom.domain.carts import CartStatus
from omniloom.domain.channels import Channel
from omniloom.domain.identity import IdentifierKind
from omniloom.domain.orders import OrderStatus
from omniloom.domain.promotions import PromotionKind
from omniloom.domain.tenders import TenderType

RENAMES = {
    "identity_devices_Platform": "DevicePlatform",
    "social_commerce_Platform": "SocialPlatform",
}

_CHANNELS = [str(c) for c in Channel]
ENUMS: dict[tuple[str, str], list[str]] = {
    ("CartView", "status"): [str(s) for s in CartStatus],
    ("CartView", "channel"): _CHANNELS,
    ("OrderView", "status"): [str(s) for s in OrderStatus],
    ("OrderView", "channel"): _CHANNELS,
    ("DeviceView", "channel"): _CHANNELS,
    ("WishlistItem", "channel"): _CHANNELS,
    ("LocationStock", "kind"): ["dc", "store"],
    ("PromotionView", "kind"): [str(k) for k in PromotionKind],
    ("ReceiptTender", "type"): [str(t) for t in TenderType],
    ("IdentifierView", "kind"): [str(k) for k in IdentifierKind],
}
# Query and path parameters with a closed set of values: (operation id, parameter) → values.
PARAMETER_ENUMS: dict[tuple[str, str], list[str]] = {
    ("getAttribution", "key"): list(CHANNEL_KEYS),
    ("getKpis", "key"): list(CHANNEL_KEYS),
    ("getTransitions", "key"): list(CHANNEL_KEYS),
    ("moveOrder", "move"): ["fulfil", "ready", "picked-up", "cancel"],
}


def _rename_refs(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in RENAMES:
                node["$ref"] = "#/components/schemas/" + RENAMES[name]
        for value in node.values():
            _rename_refs(value)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value)
    return node


def _one_number(node: Any) -> None:
    if isinstance(node, dict):
        one_of = node.get("oneOf")
        if isinstance(one_of, list):
            types = [option.get("type") for option in one_of if isinstance(option, dict)]
            if "integer" in types and "number" in types:
                one_of[:] = [option for option in one_of if option.get("type") != "integer"]
                if len(one_of) == 1:
                    node.pop("oneOf")
                    node.update(one_of[0])
        for value in node.values():
            _one_number(value)
    elif isinstance(node, list):
        for value in node:
            _one_number(value)


def correct(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document["components"]["schemas"]
    for old, new in RENAMES.items():
        if old in schemas:
            schemas[new] = schemas.pop(old)
            schemas[new]["title"] = new
    _rename_refs(document)
    _one_number(document)
    for (schema, field), values in ENUMS.items():
        prop = schemas.get(schema, {}).get("properties", {}).get(field)
        if prop is not None and prop.get("type") == "string":
            prop["enum"] = values


_INSTANT = {"type": "string", "format": "date-time"}
_UNIX_SECONDS = {"type": "number", "description": "Unix seconds"}


def correct_parameters(operation_id: str, parameters: list[dict[str, Any]]) -> None:
    """Closed value lists; and instants in a query, which are read as RFC 3339 text or, as
    Litestar also reads them, Unix seconds (``?until=1700000000``)."""
    for parameter in parameters:
        values = PARAMETER_ENUMS.get((operation_id, parameter["name"]))
        if values is not None:
            parameter["schema"] = {**parameter.get("schema", {}), "enum": values}
        options = parameter.get("schema", {}).get("oneOf")
        if parameter["in"] == "query" and isinstance(options, list) and _INSTANT in options:
            options.insert(options.index(_INSTANT) + 1, _UNIX_SECONDS)


def closed_structs(body_types: Iterable[Any]) -> set[str]:
    """Names of the Structs, in ``body_types`` or nested in them, that refuse unknown fields."""
    closed: set[str] = set()
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, msgspec.inspect.StructType) and node.forbid_unknown_fields:
            closed.add(node.cls.__name__)
        if isinstance(node, msgspec.inspect.Type):
            for value in msgspec.structs.asdict(node).values():
                walk(value)
        elif isinstance(node, tuple):
            for value in node:
                walk(value)
        elif isinstance(node, msgspec.inspect.Field):
            walk(node.type)

    for info in msgspec.inspect.multi_type_info(list(body_types)):
        walk(info)
    return closed


def close(document: dict[str, Any], names: set[str]) -> None:
    for name in names:
        schema = document["components"]["schemas"].get(name)
        if schema is not None and schema.get("type") == "object":
            schema["additionalProperties"] = False
