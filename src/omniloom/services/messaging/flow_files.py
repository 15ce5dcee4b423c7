"""Flows written as YAML or JSON: one flow as a route's body, or a file of several to load.

Both are turned into plain values and validated by the same schema (:class:`FlowDefinition`),
so a mistake is named by its field whichever way the flow was written. YAML is read as
YAML 1.2 reads clock times: ``21:00`` is the text it looks like, not the sexagesimal number
1260 that YAML 1.1 (PyYAML's default) would make of it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import yaml

from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.domain.flows import FlowDefinition

YAML_TYPES = ("application/yaml", "application/x-yaml")


class _FlowYamlLoader(yaml.SafeLoader):
    """The safe loader, without YAML 1.1's base-60 numbers (``21:00`` stays a string)."""


_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_FlowYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _NUMBERS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FlowYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
    ),
    list("-+0123456789"),
)
_FlowYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def is_yaml(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip().lower() in YAML_TYPES


def read_yaml(text: str | bytes) -> Any:
    """The values a YAML document holds, or InvalidInput naming where it stopped making sense."""
    try:
        return yaml.load(text, Loader=_FlowYamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        raise InvalidInput(
            f"The body is not valid YAML{where}: {exc.problem}.",
            errors=[FieldError("body", f"not YAML{where}")],
        ) from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(
            f"The body is not valid YAML: {exc}.", errors=[FieldError("body", "not YAML")]
        ) from exc


def definition(values: Any) -> FlowDefinition:
    """A flow from plain values, strictly (``"5"`` is no number); msgspec's ValidationError
    (whose message names the path) otherwise, for the caller to name the field."""
    return msgspec.convert(values, FlowDefinition, strict=True)


def read_flows_file(path: Path) -> dict[str, Any]:
    """The flows a file defines, as plain values: a mapping of flow id to flow, in YAML (or
    JSON, which is YAML too)."""
    values = read_yaml(path.read_bytes())
    if not isinstance(values, dict) or not values:
        raise InvalidInput(
            "A flows file maps flow ids to flows (`abandoned-cart: {name: …, trigger: …}`).",
            errors=[FieldError("body", "not a mapping of flow ids to flows")],
        )
    return {str(flow_id): flow for flow_id, flow in values.items()}
