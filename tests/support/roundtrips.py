"""Counting round trips to PostgreSQL: every request asyncpg sends and waits for an answer to
(a query, a prepare, an execute of a prepared statement), on every connection of a database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from omniloom.store.postgres import PostgresDatabase

# asyncpg's protocol calls that send a request and wait for PostgreSQL's answer.
_ROUND_TRIPS = frozenset(
    {"query", "prepare", "bind", "execute", "bind_execute", "bind_execute_many", "close_statement"}
)


class RoundTrips:
    def __init__(self) -> None:
        self.count = 0


class _Counting:
    """asyncpg's protocol object, counting the calls that make a round trip."""

    def __init__(self, protocol: Any, trips: RoundTrips) -> None:
        self._protocol = protocol
        self._trips = trips

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._protocol, name)
        if name in _ROUND_TRIPS:
            self._trips.count += 1
        return found


def count_round_trips(db: PostgresDatabase) -> RoundTrips:
    """From now on, count the round trips of every connection ``db`` opens (call it before
    ``db`` has opened any)."""
    trips = RoundTrips()

    def counting(dbapi_connection: Any, _record: Any) -> None:
        connection = dbapi_connection._connection
        connection._protocol = _Counting(connection._protocol, trips)

    event.listen(db.engine.sync_engine, "connect", counting)
    return trips
