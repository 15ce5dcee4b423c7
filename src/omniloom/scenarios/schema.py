"""The JSON Schema of scenario files, for editors (yaml-language-server) and ``scenario schema``.

It is built from the same Structs the loader checks with, so it cannot drift from the format;
``scenarios/scenario.schema.json`` is this output committed (a test keeps it current).
"""

from __future__ import annotations

from typing import Any

import msgspec

from omniloom.scenarios.actions import ACTIONS
from omniloom.scenarios.model import Header, StepOptions

_SCALARS = {"q": str, "product": str, "order": str, "barcode": str, "duration": str}
_SCALARS["customer"] = str


def _step_type() -> Any:
    fields: list[tuple[str, Any, Any]] = []
    for f in msgspec.structs.fields(StepOptions):
        kind = list[dict[str, Any]] | None if f.name == "steps" else f.type
        fields.append((f.encode_name, kind, None))
    for name, spec in ACTIONS.items():
        shorthand = _SCALARS.get(spec.primary or "")
        kind = spec.args | shorthand | None if shorthand else spec.args | None
        fields.append((name, kind, None))
    fields.append(("include", str | None, None))
    fields.append(("for_each", str | dict[str, str] | None, None))
    return msgspec.defstruct(
        "Step", fields, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
    )


def scenario_schema() -> dict[str, Any]:
    step = _step_type()
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for f in msgspec.structs.fields(Header):
        kind = list[step] if f.name == "steps" else f.type  # type: ignore[valid-type]
        if f.required:
            fields.append((f.encode_name, kind))
        else:
            default = f.default if f.default_factory is msgspec.NODEFAULT else f.default_factory()
            fields.append((f.encode_name, kind, default))
    scenario = msgspec.defstruct("Scenario", fields, kw_only=True, forbid_unknown_fields=True)
    schema = msgspec.json.schema(scenario)
    # for_each's steps are steps too (msgspec cannot name a type while defining it).
    nested = {"type": "array", "items": {"$ref": "#/$defs/Step"}}
    schema["$defs"]["Step"]["properties"]["steps"] = nested
    schema["title"] = "omniloom scenario"
    schema["description"] = "A shopper journey replayed by `omniloom scenario run`."
    return schema


def schema_text() -> str:
    return msgspec.json.format(msgspec.json.encode(scenario_schema()), indent=2).decode() + "\n"
