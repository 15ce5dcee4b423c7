"""A step's expectations checked against the reply it got: readable problems, or none."""

from __future__ import annotations

from typing import Any

from omniloom.scenarios.expressions import ExpressionError, evaluate, explain, render
from omniloom.scenarios.model import Expect
from omniloom.scenarios.protocol import HttpReply


def check(expect: Expect | None, reply: HttpReply, scope: dict[str, Any]) -> list[str]:
    """What is wrong with ``reply``, one sentence each; empty when every expectation holds."""
    problems: list[str] = []
    body = reply.json
    code = body.get("code") if isinstance(body, dict) else None
    if expect is None or expect.status is None:
        wanted_code = expect.code if expect is not None else None
        wants_error = wanted_code is not None
        if wants_error and reply.status < 400:
            problems.append(f"expected an error with code {wanted_code!r}, got {reply.status}")
        elif not wants_error and reply.status >= 400:
            problems.append(f"expected success, got {reply.status} {code or ''}".rstrip())
    else:
        allowed = expect.status if isinstance(expect.status, list) else [expect.status]
        if reply.status not in allowed:
            wanted = " or ".join(map(str, allowed))
            problems.append(f"expected status {wanted}, got {reply.status} {code or ''}".rstrip())
    if expect is None:
        return problems
    if expect.code is not None and code != expect.code:
        problems.append(f"expected problem code {expect.code!r}, got {code!r}")
    for path, wanted in expect.body.items():
        try:
            got = evaluate(path if path.startswith("$") else f"body.{path}", scope)
            want = render(wanted, scope)
        except ExpressionError as exc:
            problems.append(f"body.{path}: {exc}")
            continue
        if got != want:
            problems.append(f"expected body.{path} == {want!r}, got {got!r}")
    for expression in expect.that:
        try:
            if not evaluate(expression, scope):
                values = explain(expression, scope)
                problems.append(
                    f"expected {expression} to hold; it did not"
                    + (f" ({values})" if values else "")
                )
        except ExpressionError as exc:
            problems.append(str(exc))
    return problems
