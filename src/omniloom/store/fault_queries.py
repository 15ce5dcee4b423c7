"""Fault rules and their counters (see omniloom.domain.faults)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, or_, select

from omniloom.store import changes, settings_queries
from omniloom.store.tables import fault_rules

# The change kind every process's rule cache forgets on (store.changes).
FAULTS = "faults"
# The last rule number handed out: numbers are never reused, not even after a rule is removed.
NUMBER_KEY = "fault_rule_number"

_LIVE = or_(fault_rules.c.times.is_(None), fault_rules.c.injected < fault_rules.c.times)


def next_number(conn: Connection) -> int:
    number = int(settings_queries.get(conn, NUMBER_KEY) or 0) + 1
    settings_queries.put(conn, NUMBER_KEY, number)
    return number


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(fault_rules.insert().values(**row, matched=0, injected=0))
    changes.touch(conn, FAULTS, row["id"])


def listed(conn: Connection) -> list[dict[str, Any]]:
    query = select(fault_rules).order_by(fault_rules.c.number)
    return [dict(row) for row in conn.execute(query).mappings()]


def live(conn: Connection) -> list[dict[str, Any]]:
    """The rules that still fault: all but those spent their ``times``."""
    query = select(fault_rules).where(_LIVE).order_by(fault_rules.c.number)
    return [dict(row) for row in conn.execute(query).mappings()]


def get(conn: Connection, rule_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(fault_rules).where(fault_rules.c.id == rule_id)).mappings().first()
    return None if row is None else dict(row)


def remove(conn: Connection, rule_id: str) -> bool:
    gone = conn.execute(delete(fault_rules).where(fault_rules.c.id == rule_id)).rowcount
    if gone:
        changes.touch(conn, FAULTS, rule_id)
    return bool(gone)


def remove_all(conn: Connection) -> int:
    gone = conn.execute(delete(fault_rules)).rowcount
    changes.touch(conn, FAULTS, "")
    return int(gone)


def count_match(conn: Connection, rule_id: str) -> int | None:
    """Count one more request the rule matched; its number n, or None when the rule is gone
    or spent (a cache that still held it is then told to read the rules again)."""
    counted = conn.execute(
        fault_rules.update()
        .where(fault_rules.c.id == rule_id, _LIVE)
        .values(matched=fault_rules.c.matched + 1)
        .returning(fault_rules.c.matched)
    ).scalar()
    if counted is None:
        changes.touch(conn, FAULTS, rule_id)
        return None
    return int(counted)


def count_injection(conn: Connection, rule_id: str) -> None:
    """Count one fault; the rule's row is locked since count_match, so none is lost."""
    injected, times = conn.execute(
        fault_rules.update()
        .where(fault_rules.c.id == rule_id)
        .values(injected=fault_rules.c.injected + 1)
        .returning(fault_rules.c.injected, fault_rules.c.times)
    ).one()
    if times is not None and injected >= times:
        changes.touch(conn, FAULTS, rule_id)  # spent: caches stop offering it
