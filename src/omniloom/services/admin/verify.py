"""Was it still correct? The store's invariants, checked against what is committed."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.services.kernel.runtime import Runtime
from omniloom.store import verify_queries


class Check(msgspec.Struct, frozen=True):
    name: str
    description: str
    ok: bool
    violations: int
    examples: list[list[Any]]


class Verification(msgspec.Struct, frozen=True):
    ok: bool
    checks: list[Check]


def verify(conn: Connection) -> Verification:
    checks = []
    for name, (description, _) in verify_queries.CHECKS.items():
        count, examples = verify_queries.violations(conn, name)
        checks.append(Check(name, description, count == 0, count, examples))
    return Verification(ok=all(check.ok for check in checks), checks=checks)


async def verify_store(runtime: Runtime) -> Verification:
    return await runtime.read(verify)
