"""The small expression language of scenario files.

A value may hold ``${…}`` placeholders: ``"${cart.id}"``, ``"order ${order.id} is late"``,
``"${faker.email()}"``. A string that is one placeholder alone keeps the value's type (a number
stays a number, a list a list). ``when``, ``until``, ``that`` and captures are bare expressions:
``body.status == 'paid'``, ``len(body.lines) > 1``. A leading ``$.`` reads the response body, as
a JSON path would (``$.lines[0].id`` is ``body.lines[0].id``).

The language is a safe subset of Python expressions, checked before anything runs: names,
constants, ``a.b`` and ``a[0]`` (both read dict keys), comparisons, ``and``/``or``/``not``,
arithmetic, lists, and calls to a few functions (``len``, ``first(items, key, value)``,
``where``, ``pluck`` …) or to ``faker.<provider>(…)``. Nothing else parses, so a scenario file
cannot reach Python itself.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def first(items: list[Any], key: str, value: Any) -> Any:
    """The first item whose ``key`` equals ``value`` (None if none): a product's SKU, a stock
    level at a location, an event of a type."""
    return next((item for item in items if item.get(key) == value), None)


def where(items: list[Any], key: str, value: Any) -> list[Any]:
    """Every item whose ``key`` equals ``value``."""
    return [item for item in items if item.get(key) == value]


def pluck(items: list[Any], key: str) -> list[Any]:
    """The ``key`` of every item, in order (``pluck(events, 'channel')``)."""
    return [item.get(key) for item in items]


def get(mapping: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """``mapping[key]``, or ``default`` when it is absent (a location with no stock row)."""
    return mapping.get(key, default)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "get": get,
    "first": first,
    "where": where,
    "pluck": pluck,
    "len": len,
    "int": int,
    "str": str,
    "min": min,
    "max": max,
    "sum": sum,
    "sorted": sorted,
    "abs": abs,
}
# Names every scope has; the loader does not ask a step to define them.
BUILTIN_NAMES = frozenset({"faker", "actor", "shoppers", "body", "status", "headers", "true"})
BUILTIN_NAMES |= frozenset({"false", "null", "None", "True", "False", "run"})


class ExpressionError(Exception):
    """An expression that does not parse, or fails when evaluated (names the expression)."""


def compile_expression(source: str) -> ast.Expression:
    """Parse and check ``source``; raises ExpressionError naming what is not allowed."""
    text = source.strip()
    if text.startswith("$."):
        text = "body." + text[2:]
    elif text == "$":
        text = "body"
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {source!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"{type(node).__name__} is not allowed in {source!r}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"private name {node.attr!r} in {source!r}")
        if isinstance(node, ast.Call) and not _callable_shape(node.func):
            raise ExpressionError(f"only built-ins and faker.<provider>() calls in {source!r}")
    return tree


_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Compare,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.BinOp,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Call,
    ast.keyword,
    ast.IfExp,
    *_COMPARE,
    *_ARITHMETIC,
)


def _callable_shape(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in FUNCTIONS
    return isinstance(func, ast.Attribute) and _root_name(func) == "faker"


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names_used(source: str) -> set[str]:
    """The top-level names an expression reads (``cart`` in ``cart.lines[0]``)."""
    tree = compile_expression(source)
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called


def placeholders(text: str) -> Iterator[str]:
    """The expressions inside the ``${…}`` of ``text``."""
    for match in PLACEHOLDER.finditer(text):
        yield match.group(1)


def evaluate(source: str, scope: Mapping[str, Any]) -> Any:
    """The value of a bare expression in ``scope``."""
    tree = compile_expression(source)
    try:
        return _eval(tree.body, scope)
    except ExpressionError:
        raise
    except Exception as exc:  # a missing key, a wrong type: say which expression
        raise ExpressionError(f"{source!r}: {type(exc).__name__}: {exc}") from None


def explain(source: str, scope: Mapping[str, Any]) -> str:
    """What the parts of a false comparison were (``body.channels is ['mobile', 'web']``)."""
    tree = compile_expression(source).body
    parts = []
    for node in tree.values if isinstance(tree, ast.BoolOp) else [tree]:
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if not _literal(side):
                    text = ast.unparse(side)
                    try:
                        parts.append(f"{text} is {_eval(side, scope)!r}")
                    except Exception as exc:
                        parts.append(f"{text}: {exc}")
    return "; ".join(dict.fromkeys(parts))


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def render(value: Any, scope: Mapping[str, Any]) -> Any:
    """``value`` with every ``${…}`` placeholder replaced, through lists and dicts."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return evaluate(whole.group(1), scope)
        return PLACEHOLDER.sub(lambda m: _text(evaluate(m.group(1), scope)), value)
    if isinstance(value, list):
        return [render(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: render(item, scope) for key, item in value.items()}
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_CONSTANTS = {"true": True, "false": False, "null": None}


def _eval(node: ast.expr, scope: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name in scope:
                return scope[name]
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise ExpressionError(f"{name!r} is not defined here")
        case ast.Attribute(value=inner, attr=attr):
            return _member(_eval(inner, scope), attr)
        case ast.Subscript(value=inner, slice=index):
            return _eval(inner, scope)[_eval(index, scope)]
        case ast.Slice(lower=lower, upper=upper):
            return slice(
                _eval(lower, scope) if lower else None, _eval(upper, scope) if upper else None
            )
        case ast.Compare(left=left, ops=ops, comparators=rights):
            current = _eval(left, scope)
            for op, right in zip(ops, rights, strict=True):
                value = _eval(right, scope)
                if not _COMPARE[type(op)](current, value):
                    return False
                current = value
            return True
        case ast.BoolOp(op=ast.And(), values=values):
            result: Any = True
            for item in values:
                result = _eval(item, scope)
                if not result:
                    return result
            return result
        case ast.BoolOp(values=values):
            result = False
            for item in values:
                result = _eval(item, scope)
                if result:
                    return result
            return result
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _eval(operand, scope)
        case ast.UnaryOp(operand=operand):
            return -_eval(operand, scope)
        case ast.BinOp(left=left, op=op, right=right):
            return _ARITHMETIC[type(op)](_eval(left, scope), _eval(right, scope))
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [_eval(item, scope) for item in items]
        case ast.Dict(keys=keys, values=values):
            return {
                _eval(k, scope): _eval(v, scope) for k, v in zip(keys, values, strict=True) if k
            }
        case ast.IfExp(test=test, body=yes, orelse=no):
            return _eval(yes, scope) if _eval(test, scope) else _eval(no, scope)
        case ast.Call(func=func, args=args, keywords=keywords):
            target = FUNCTIONS[func.id] if isinstance(func, ast.Name) else _eval(func, scope)
            return target(
                *(_eval(a, scope) for a in args),
                **{k.arg: _eval(k.value, scope) for k in keywords if k.arg},
            )
    raise ExpressionError(f"cannot evaluate {ast.unparse(node)!r}")


def _member(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        raise ExpressionError(f"no {name!r} in {_excerpt(value)}")
    # Faker's providers are the only objects with attributes a scenario reaches.
    return getattr(value, name)


def _excerpt(value: Any) -> str:
    keys = list(value)[:12] if isinstance(value, Mapping) else []
    return "{" + ", ".join(map(str, keys)) + (", …}" if len(value) > 12 else "}")
