"""Reading scenario files: YAML → checked model, or an error naming file, line and field.

Everything is checked before anything runs: YAML syntax, field types, the one action per step,
actors and channels, ``include``d files and CSV files that must exist, and every expression —
it must parse, and each name it reads must be defined by then (a variable, a parameter, a
capture of an earlier step, a loop variable). A capture used before the step that makes it is an
error here, not a surprise halfway through a run.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from omniloom.scenarios.actions import ACTIONS
from omniloom.scenarios.expressions import (
    BUILTIN_NAMES,
    ExpressionError,
    names_used,
    placeholders,
)
from omniloom.scenarios.model import (
    ActionStep,
    ForEachStep,
    Header,
    IncludeStep,
    Node,
    Scenario,
    ShopperSpec,
    StepOptions,
    Where,
)

CHANNELS = ("web", "mobile", "social", "messaging", "pos", "admin")
CONTROL_KEYS = ("include", "for_each")
OPTION_KEYS = frozenset(f.encode_name for f in msgspec.structs.fields(StepOptions))

Path_ = tuple[str | int, ...]
T = TypeVar("T")


class ScenarioError(Exception):
    """A scenario file that cannot run; ``str()`` reads ``file:line: field: message``."""

    def __init__(self, where: Where, message: str, field: str = "") -> None:
        self.where, self.message, self.field = where, message, field
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


def load(path: str | Path) -> Scenario:
    """The scenario in ``path``, checked whole; raises ScenarioError."""
    return _Loader().scenario(Path(path), params_given=None)


class _Doc:
    """A YAML document as plain values, with the line of every value by its path."""

    def __init__(self, path: Path) -> None:
        self.file = _shown(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(Where(self.file, 0), f"cannot read: {exc.strerror}") from None
        self.lines: dict[Path_, int] = {}
        try:
            loader = yaml.SafeLoader(text)
            try:
                node = loader.get_single_node()
                self.data = self._walk(loader, node, ()) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            raise ScenarioError(Where(self.file, line), f"bad YAML: {exc.problem}") from None

    def _walk(self, loader: yaml.SafeLoader, node: yaml.Node, at: Path_) -> Any:
        self.lines[at] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(loader.construct_object(key_node))
                self.lines[(*at, key)] = key_node.start_mark.line + 1
                out[key] = self._walk(loader, value_node, (*at, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._walk(loader, item, (*at, i)) for i, item in enumerate(node.value)]
        return loader.construct_object(node)

    def where(self, at: Path_) -> Where:
        """The line of ``at``, or of the nearest enclosing value that has one."""
        while at not in self.lines and at:
            at = at[:-1]
        return Where(self.file, self.lines.get(at, 1))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_MSGSPEC_AT = re.compile(r"^(.*?)(?: - at `\$(.*)`)?$")
_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")


def _convert(doc: _Doc, value: Any, kind: type[T], at: Path_) -> T:
    """``value`` as ``kind``, or a ScenarioError at the line of the offending field."""
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        message, _, tail = str(exc).partition(" - at `$")
        inner: list[str | int] = [
            name if name else int(index) for name, index in _PART.findall(tail.rstrip("`"))
        ]
        unknown = re.search(r"unknown field `([^`]+)`", message)
        if unknown:
            inner.append(unknown.group(1))
        raise ScenarioError(doc.where((*at, *inner)), message, _dotted((*at, *inner))) from None


def _dotted(at: Path_) -> str:
    text = ""
    for part in at:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Loader:
    def __init__(self) -> None:
        self.stack: list[Path] = []

    def scenario(self, path: Path, params_given: set[str] | None) -> Scenario:
        resolved = path.resolve()
        if resolved in self.stack:
            chain = " → ".join(p.name for p in [*self.stack, resolved])
            raise ScenarioError(Where(_shown(path), 1), f"include cycle: {chain}")
        self.stack.append(resolved)
        try:
            return self._scenario(path, params_given)
        finally:
            self.stack.pop()

    def _scenario(self, path: Path, params_given: set[str] | None) -> Scenario:
        doc = _Doc(path)
        if not isinstance(doc.data, dict):
            raise ScenarioError(Where(doc.file, 1), "a scenario file is a mapping with steps")
        header = _convert(doc, doc.data, Header, ())
        if params_given is not None:
            missing = sorted(set(header.params) - params_given)
            if missing:
                raise ScenarioError(doc.where(()), f"include needs parameters {missing}", "with")
        shoppers = list(self._shoppers(doc, header, path.parent))
        actors = {s.name for s in header.shoppers}
        known = set(BUILTIN_NAMES) | set(header.vars) | set(header.params) | actors
        steps = self._steps(doc, header.steps, ("steps",), path.parent, known, actors)
        return Scenario(path, header, steps, shoppers)

    def _shoppers(self, doc: _Doc, header: Header, folder: Path) -> Iterator[ShopperSpec]:
        with_csv = [i for i, spec in enumerate(header.shoppers) if spec.csv]
        if len(with_csv) > 1:
            at = ("shoppers", with_csv[1], "csv")
            raise ScenarioError(doc.where(at), "only one shopper may come from a CSV", "csv")
        for i, spec in enumerate(header.shoppers):
            if spec.csv:
                for row in self._csv(doc, folder / spec.csv, ("shoppers", i, "csv")):
                    yield ShopperSpec(spec.name, spec.persona, {**spec.identity, **row})
            else:
                yield spec

    def _csv(self, doc: _Doc, path: Path, at: Path_) -> list[dict[str, str]]:
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        except OSError:
            raise ScenarioError(doc.where(at), f"no CSV file {_shown(path)}", _dotted(at)) from None
        if not rows:
            raise ScenarioError(doc.where(at), f"{_shown(path)} has no rows", _dotted(at))
        return rows

    def _steps(
        self,
        doc: _Doc,
        raw: list[dict[str, Any]],
        at: Path_,
        folder: Path,
        known: set[str],
        actors: set[str],
    ) -> list[Node]:
        """Checked steps; ``known`` grows with each step's captures (so later ones may use them)."""
        steps: list[Node] = []
        for i, item in enumerate(raw):
            here = (*at, i)
            if not isinstance(item, dict):
                raise ScenarioError(doc.where(here), "a step is a mapping with one action")
            steps.append(self._step(doc, item, here, folder, known, actors))
        return steps

    def _step(
        self,
        doc: _Doc,
        item: dict[str, Any],
        at: Path_,
        folder: Path,
        known: set[str],
        actors: set[str],
    ) -> Node:
        where = doc.where(at)
        actions = [key for key in item if key not in OPTION_KEYS]
        if len(actions) != 1 or (actions[0] not in ACTIONS and actions[0] not in CONTROL_KEYS):
            return self._no_single_action(doc, at, actions)
        action = actions[0]
        options = _convert(doc, {k: val for k, val in item.items() if k != action}, StepOptions, at)
        self._check_options(doc, options, at, known, actors)
        value = item[action]
        if action == "include":
            node: Node = self._include(doc, where, options, value, at, folder, known, actors)
        elif action == "for_each":
            node = self._for_each(doc, where, options, value, at, folder, known, actors)
        else:
            spec = ACTIONS[action]
            if not isinstance(value, dict):
                value = {} if value is None else {spec.primary or "_": value}
            args = _convert(doc, value, spec.args, (*at, action))
            rendered = {k: val for k, val in msgspec.to_builtins(args).items() if val is not None}
            self._check_args(doc, spec.args, rendered, (*at, action), known)
            node = ActionStep(where, options, action, rendered)
        # What the step defines is usable from the next step on (and in its own expectations).
        known.update(options.capture)
        return node

    def _no_single_action(self, doc: _Doc, at: Path_, actions: list[str]) -> Node:
        if not actions:
            vocabulary = ", ".join(sorted([*ACTIONS, *CONTROL_KEYS]))
            raise ScenarioError(doc.where(at), f"the step has no action; one of: {vocabulary}")
        for name in actions:
            if name not in ACTIONS and name not in CONTROL_KEYS:
                close = difflib.get_close_matches(name, [*ACTIONS, *CONTROL_KEYS, *OPTION_KEYS])
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ScenarioError(doc.where((*at, name)), f"unknown action {name!r}{hint}", name)
        raise ScenarioError(doc.where(at), f"one action per step, not {', '.join(actions)}")

    def _check_options(
        self, doc: _Doc, options: StepOptions, at: Path_, known: set[str], actors: set[str]
    ) -> None:
        if options.actor is not None and options.actor not in actors:
            raise ScenarioError(
                doc.where((*at, "actor")),
                f"no shopper {options.actor!r} (shoppers: {', '.join(sorted(actors)) or 'none'})",
                "actor",
            )
        if options.channel is not None and options.channel not in CHANNELS:
            raise ScenarioError(
                doc.where((*at, "channel")),
                f"unknown channel {options.channel!r}; one of {', '.join(CHANNELS)}",
                "channel",
            )
        after = known | set(options.capture)
        bare: dict[str, tuple[str | None, set[str]]] = {"when": (options.when, known)}
        if options.retry:
            bare["retry.until"] = (options.retry.until, after)
        for name, expression in options.capture.items():
            bare[f"capture.{name}"] = (expression, known)
        for i, expression in enumerate(options.expect.that if options.expect else []):
            bare[f"expect.that[{i}]"] = (expression, after)
        for field, (source, scope) in bare.items():
            if source is not None:
                self._check_expression(doc, source, (*at, *field.split(".")), field, scope)
        for text in _strings(msgspec.to_builtins(options.expect) if options.expect else None):
            for expression in placeholders(text):
                self._check_expression(doc, expression, (*at, "expect"), "expect", after)

    def _check_expression(
        self, doc: _Doc, expression: str, at: Path_, field: str, known: set[str]
    ) -> None:
        try:
            names = names_used(expression)
        except ExpressionError as exc:
            raise ScenarioError(doc.where(at), str(exc), field) from None
        undefined = sorted(names - known)
        if undefined:
            raise ScenarioError(
                doc.where(at),
                f"{undefined[0]!r} is used before any step captures it or a variable defines it",
                field,
            )

    def _check_args(
        self,
        doc: _Doc,
        kind: type[msgspec.Struct],
        args: dict[str, Any],
        at: Path_,
        known: set[str],
    ) -> None:
        numeric = {f.name for f in msgspec.structs.fields(kind) if "int" in str(f.type)}
        for name, value in args.items():
            if name in numeric and isinstance(value, str) and "${" not in value:
                raise ScenarioError(
                    doc.where((*at, name)), f"expected a number, got {value!r}", _dotted(at)
                )
            for text in _strings(value):
                for expression in placeholders(text):
                    self._check_expression(doc, expression, (*at, name), f"{at[-1]}.{name}", known)

    def _include(
        self,
        doc: _Doc,
        where: Where,
        options: StepOptions,
        value: Any,
        at: Path_,
        folder: Path,
        known: set[str],
        actors: set[str],
    ) -> Node:
        if not isinstance(value, str):
            raise ScenarioError(where, "include names a scenario file", "include")
        target = folder / value
        if not target.is_file():
            raise ScenarioError(doc.where((*at, "include")), f"no file {value}", "include")
        for text in _strings(options.with_):
            for expression in placeholders(text):
                self._check_expression(doc, expression, (*at, "with"), "with", known)
        included = self.scenario(target, params_given=set(options.with_))
        known.update(_captures(included.steps))
        return IncludeStep(where, options, target, included.steps)

    def _for_each(
        self,
        doc: _Doc,
        where: Where,
        options: StepOptions,
        value: Any,
        at: Path_,
        folder: Path,
        known: set[str],
        actors: set[str],
    ) -> Node:
        if not options.as_ or options.steps is None:
            raise ScenarioError(where, "for_each needs 'as' (the item's name) and 'steps'")
        rows = None
        items: str | None = None
        if isinstance(value, dict) and set(value) == {"csv"}:
            rows = self._csv(doc, folder / str(value["csv"]), (*at, "for_each", "csv"))
        elif isinstance(value, str) and (found := list(placeholders(value))):
            items = found[0]
            self._check_expression(doc, items, (*at, "for_each"), "for_each", known)
        else:
            raise ScenarioError(where, "for_each takes '${expression}' or {csv: file}", "for_each")
        inner = self._steps(
            doc, options.steps, (*at, "steps"), folder, known | {options.as_}, actors
        )
        known.update(_captures(inner))
        return ForEachStep(where, options, items, rows, inner)


def _captures(steps: list[Node]) -> set[str]:
    names: set[str] = set()
    for step in steps:
        names.update(step.options.capture)
        if not isinstance(step, ActionStep):
            names.update(_captures(step.steps))
    return names


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
