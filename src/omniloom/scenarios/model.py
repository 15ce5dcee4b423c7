"""What a scenario file holds, as typed values.

The file's parts that have a fixed shape are msgspec Structs (they give the loader its type
checks and ``omniloom scenario schema`` its JSON Schema). A step is a mapping with one action key
(``add_line: {…}``) beside common options (``actor``, ``channel``, ``expect`` …); the loader splits
the two, so a step becomes an ``ActionStep`` (or an ``IncludeStep`` / ``ForEachStep``) that
remembers the file and line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec


class Persona(msgspec.Struct, forbid_unknown_fields=True):
    """A generated shopper: Faker fills name, email, phone, address in this locale."""

    locale: str = "en_US"
    channels: list[str] = msgspec.field(default_factory=lambda: ["web"])
    devices: list[str] = msgspec.field(default_factory=list)


class ShopperSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One shopper of the cast: a persona, a fixed identity, or a CSV file of them."""

    name: str
    persona: Persona | None = None
    # Fixed fields that win over generated ones (email, first_name, customer_id, password …).
    identity: dict[str, str] = msgspec.field(default_factory=dict)
    # A CSV file (relative to the scenario) with one shopper per row; columns are identity fields.
    csv: str | None = None


class Retry(msgspec.Struct, forbid_unknown_fields=True):
    """Repeat the step until ``until`` holds, advancing the simulated clock between tries."""

    until: str
    interval: str = "1m"
    timeout: str = "1h"


class Expect(msgspec.Struct, forbid_unknown_fields=True):
    """What the response must be. Without ``status``, any status below 400 passes."""

    status: int | list[int] | None = None
    # The problem+json ``code`` of an error answer.
    code: str | None = None
    # Path expression → the value found there (``status: paid``, ``lines[0].quantity: 2``).
    body: dict[str, Any] = msgspec.field(default_factory=dict)
    # Expressions that must all be true (``body.total > 0``).
    that: list[str] = msgspec.field(default_factory=list)


class StepOptions(msgspec.Struct, forbid_unknown_fields=True, rename={"as_": "as"}):
    """Everything a step may say beside its one action."""

    name: str | None = None
    actor: str | None = None
    channel: str | None = None
    device: str | None = None
    when: str | None = None
    retry: Retry | None = None
    capture: dict[str, str] = msgspec.field(default_factory=dict)
    expect: Expect | None = None
    # A soft step's failed expectation is counted, and the journey goes on.
    soft: bool = False
    # for_each: the name each item takes, and the steps run per item.
    as_: str | None = None
    steps: list[dict[str, Any]] | None = None
    # include: the parameters the included file sees as variables.
    with_: dict[str, Any] = msgspec.field(default_factory=dict, name="with")


class Header(msgspec.Struct, forbid_unknown_fields=True):
    """A scenario file's fields other than its steps."""

    name: str
    description: str = ""
    tags: list[str] = msgspec.field(default_factory=list)
    seed: int = 42
    # Where the simulated clock starts (ISO 8601); the store's own start when absent.
    clock: str | None = None
    shoppers: list[ShopperSpec] = msgspec.field(default_factory=list)
    vars: dict[str, Any] = msgspec.field(default_factory=dict)
    # Parameters an included file expects (each becomes a variable).
    params: list[str] = msgspec.field(default_factory=list)
    steps: list[dict[str, Any]] = msgspec.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a scenario file, for messages people can act on."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class ActionStep:
    where: Where
    options: StepOptions
    action: str
    args: dict[str, Any]

    @property
    def title(self) -> str:
        return self.options.name or self.action


@dataclass(frozen=True, slots=True)
class IncludeStep:
    where: Where
    options: StepOptions
    path: Path
    steps: list[Node]

    @property
    def title(self) -> str:
        return self.options.name or f"include {self.path.name}"


@dataclass(frozen=True, slots=True)
class ForEachStep:
    where: Where
    options: StepOptions
    # An expression giving a list, or the rows of a CSV file read at load time.
    items: str | None
    rows: list[dict[str, str]] | None
    steps: list[Node]

    @property
    def title(self) -> str:
        return self.options.name or f"for each {self.options.as_}"


Node = ActionStep | IncludeStep | ForEachStep


@dataclass(frozen=True, slots=True)
class Scenario:
    path: Path
    header: Header
    steps: list[Node]
    # Shoppers as written; CSV files already expanded to one spec per row.
    shoppers: list[ShopperSpec] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.header.name
