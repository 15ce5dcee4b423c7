"""Which requests meet a fault rule, and which of those are faulted: every request asks.

The live rules are read once and kept by route until a write anywhere touches them (this
process's at once, other processes' by NOTIFY on PostgreSQL): with no rule, a request costs a
dictionary lookup and no query. A request a rule selects counts in the database, in one unit of
work for all the rules it meets, so the n-th match is the n-th in every process together, and
whether it is faulted depends on n alone (omniloom.domain.faults.fires).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from omniloom.domain.faults import FaultKind, FaultRule, fires
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import changes, fault_queries

RulesByRoute = dict[str, tuple[FaultRule, ...]]  # "POST /v1/carts/{cart_id}/checkout" → rules


class FaultBook:
    def __init__(self) -> None:
        # None until read (and again after a change); {} when no rule is live.
        self.rules: RulesByRoute | None = None
        self.caching = False
        self._epoch = 0

    def forget(self, touched: changes.Touched) -> None:
        if any(kind in (fault_queries.FAULTS, changes.EVERYTHING) for kind, _ in touched):
            self.rules = None
            self._epoch += 1

    async def load(self, runtime: Runtime) -> RulesByRoute:
        epoch = self._epoch
        rules = _by_route(await runtime.read(fault_queries.live))
        # Not kept if a change was reported while reading (another process's, on PostgreSQL).
        if self.caching and epoch == self._epoch:
            self.rules = rules
        return rules

    async def live_count(self, runtime: Runtime) -> int:
        rules = self.rules if self.rules is not None else await self.load(runtime)
        return len({rule.id for selected in rules.values() for rule in selected})


async def decide(runtime: Runtime, rules: tuple[FaultRule, ...]) -> list[FaultRule]:
    """The rules that fault this request, in order: delays first, then at most one rule that
    answers instead of the route. Each rule met counts the request, faulted or not."""

    def count(conn: Connection) -> list[FaultRule]:
        fired: list[FaultRule] = []
        for rule in rules:
            n = fault_queries.count_match(conn, rule.id)
            if n is None or not fires(rule, n):
                continue
            fault_queries.count_injection(conn, rule.id)
            fired.append(rule)
            if rule.ends_request:
                break  # the route does not run: later rules never see the request
        return fired

    return await runtime.db.write(count)


def _by_route(rows: list[dict[str, Any]]) -> RulesByRoute:
    found: dict[str, list[FaultRule]] = {}
    for row in rows:
        rule = FaultRule(
            id=row["id"],
            method=row["method"],
            path=row["path"],
            channel=row["channel"],
            kind=FaultKind(row["kind"]),
            probability=row["probability"],
            seed=int(row["seed"]),
            latency_ms=row["latency_ms"],
            status=row["status"],
            retry_after=row["retry_after"],
            times=row["times"],
        )
        found.setdefault(rule.route, []).append(rule)
    return {route: tuple(rules) for route, rules in found.items()}
