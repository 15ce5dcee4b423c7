"""Fault rules (admin): add, list, read and remove the rules that fault chosen routes on purpose.

What a rule does to a request is omniloom.domain.faults; which requests meet which rule, and
counting them, is fault_book.py. A rule names its route by operation id or by method and path
template, and only the routes a client calls may be named: the admin routes (which remove the
rules again), /health and the documentation are never faulted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from sqlalchemy import Connection

from omniloom.domain.channels import Channel
from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.domain.faults import (
    DEFAULT_RETRY_AFTER,
    MAX_LATENCY_MS,
    MAX_SEED,
    RETRY_AFTER_STATUSES,
    FaultKind,
    check_kind,
)
from omniloom.services.kernel.unit import Unit
from omniloom.store import fault_queries

RULE_PREFIX = "flt_"
FaultStatus = Literal[429, 500, 502, 503, 504]
Method = Annotated[str, Meta(pattern="^[A-Za-z]{3,7}$", examples=["POST"])]
RoutePath = Annotated[
    str, Meta(min_length=1, max_length=300, examples=["/v1/carts/{cart_id}/checkout"])
]
OperationId = Annotated[str, Meta(min_length=1, max_length=80, examples=["checkoutCart"])]


@dataclass(frozen=True, slots=True)
class FaultableRoute:
    """A route a rule may name (every route but the admin ones, /health and the docs)."""

    method: str
    path: str
    operation_id: str | None


class NewFaultRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Which requests (operation_id, or method and path; optionally only one channel's), what
    happens to them (kind and its setting), how often and how many times at most."""

    kind: FaultKind
    operation_id: OperationId | None = None
    method: Method | None = None
    path: RoutePath | None = None
    channel: Channel | None = None
    probability: Annotated[float, Meta(ge=0, le=1)] = 1.0
    latency_ms: Annotated[int, Meta(ge=0, le=MAX_LATENCY_MS)] | None = None
    status: FaultStatus | None = None
    retry_after: Annotated[int, Meta(ge=0, le=3600)] | None = None
    times: Annotated[int, Meta(ge=1, le=10**9)] | None = None
    seed: Annotated[int, Meta(ge=0, le=MAX_SEED)] | None = None
    note: Annotated[str, Meta(max_length=200)] | None = None


class FaultRuleView(msgspec.Struct, frozen=True):
    id: str
    method: str
    path: str
    operation_id: str | None
    channel: Channel | None
    kind: FaultKind
    probability: float
    seed: int
    latency_ms: int | None
    status: int | None
    retry_after: int | None
    times: int | None
    note: str | None
    matched: int  # requests it selected while active
    injected: int  # requests it faulted
    remaining: int | None  # faults left before it is spent; null: no limit
    active: bool
    created_at: datetime


class FaultRuleList(msgspec.Struct, frozen=True):
    items: list[FaultRuleView]


class FaultRulesCleared(msgspec.Struct, frozen=True):
    removed: int


def add(unit: Unit, command: NewFaultRule, routes: list[FaultableRoute]) -> FaultRuleView:
    route = _route(command, routes)
    check_kind(command.kind, command.latency_ms, command.status, command.retry_after)
    retry_after = command.retry_after
    if retry_after is None and command.status in RETRY_AFTER_STATUSES:
        retry_after = DEFAULT_RETRY_AFTER
    number = fault_queries.next_number(unit.conn)
    row: dict[str, Any] = {
        "id": f"{RULE_PREFIX}{number}",
        "number": number,
        "method": route.method,
        "path": route.path,
        "operation_id": route.operation_id,
        "channel": command.channel,
        "kind": command.kind,
        "probability": command.probability,
        # Without a seed of its own, the rule's number: the same rules added in the same order
        # (after a reset, say) fault the same requests.
        "seed": number if command.seed is None else command.seed,
        "latency_ms": command.latency_ms,
        "status": command.status,
        "retry_after": retry_after,
        "times": command.times,
        "note": command.note,
        "created_at": unit.now,
    }
    fault_queries.insert(unit.conn, row)
    return view(row | {"matched": 0, "injected": 0})


def list_rules(conn: Connection) -> FaultRuleList:
    return FaultRuleList([view(row) for row in fault_queries.listed(conn)])


def get_rule(conn: Connection, rule_id: str) -> FaultRuleView:
    row = fault_queries.get(conn, rule_id)
    if row is None:
        raise NotFound(f"No fault rule {rule_id}.")
    return view(row)


def remove(unit: Unit, rule_id: str) -> FaultRuleView:
    """Remove one rule; answers with what it had counted."""
    removed = get_rule(unit.conn, rule_id)
    fault_queries.remove(unit.conn, rule_id)
    return removed


def clear(unit: Unit) -> FaultRulesCleared:
    return FaultRulesCleared(fault_queries.remove_all(unit.conn))


def view(row: dict[str, Any]) -> FaultRuleView:
    times, injected = row["times"], int(row["injected"])
    remaining = None if times is None else max(times - injected, 0)
    return FaultRuleView(
        id=row["id"],
        method=row["method"],
        path=row["path"],
        operation_id=row["operation_id"],
        channel=None if row["channel"] is None else Channel(row["channel"]),
        kind=FaultKind(row["kind"]),
        probability=row["probability"],
        seed=row["seed"],
        latency_ms=row["latency_ms"],
        status=row["status"],
        retry_after=row["retry_after"],
        times=times,
        note=row["note"],
        matched=int(row["matched"]),
        injected=injected,
        remaining=remaining,
        active=remaining != 0,
        created_at=row["created_at"],
    )


def _route(command: NewFaultRule, routes: list[FaultableRoute]) -> FaultableRoute:
    """The route the rule names, or a problem naming the field that does not name one."""
    never = "admin routes, /health and the documentation are never faulted"
    if command.operation_id is not None:
        if command.method is not None or command.path is not None:
            field = "method" if command.method is not None else "path"
            raise _invalid(field, "give operation_id, or method and path, not both")
        for route in routes:
            if route.operation_id == command.operation_id:
                return route
        raise _invalid("operation_id", f"no route a rule may fault has this id ({never})")
    if command.method is None or command.path is None:
        missing = "method" if command.method is None else "path"
        raise _invalid(missing, "name the route: operation_id, or method and path")
    method = command.method.upper()
    for route in routes:
        if route.method == method and route.path == command.path:
            return route
    if any(route.path == command.path for route in routes):
        raise _invalid("method", f"the path has no route for {method}")
    raise _invalid("path", f"not the template of a route a rule may fault ({never})")


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}.", errors=[FieldError(field, message)])
