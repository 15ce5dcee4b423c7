"""A fast lane for the hottest statements: Core-built SQL run straight on the DBAPI cursor.

SQLAlchemy's execution and result machinery costs about 100 µs per statement here, several times
what SQLite itself needs. For a handful of statements on every request, whose columns are plain
integers and strings, the statement is compiled once per dialect and executed on the raw cursor of
the same connection, inside the same transaction. Everything else goes through ``conn.execute``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable

_compiled: dict[tuple[int, str], tuple[str, list[str], dict[str, Any]]] = {}


def _compile(conn: Connection, stmt: Executable) -> tuple[str, list[str], dict[str, Any]]:
    key = (id(stmt), conn.dialect.name)
    entry = _compiled.get(key)
    if entry is None:
        compiled = stmt.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
        names = list(compiled.positiontup or [])
        entry = (compiled.string, names, dict(compiled.params))
        _compiled[key] = entry
    return entry


def rows(conn: Connection, stmt: Executable, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run a module-level SELECT (compiled once) and return plain tuples."""
    sql, names, defaults = _compile(conn, stmt)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, tuple(params[n] if n in params else defaults[n] for n in names))
        return list(cursor.fetchall())
    finally:
        cursor.close()
