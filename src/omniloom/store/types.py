"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zone type and PostgreSQL's ``timestamptz`` answers in the session zone, so
    the column stores naive UTC and the zone is put back on the way out.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value.replace(tzinfo=UTC)
        return result

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general
        fallback = general

        def read_sqlite_text(value: Any) -> datetime | None:
            # SQLite's text read in one C call. The general path parses it and then calls
            # datetime.replace for the zone, whose keyword parsing alone cost five times the
            # parse; text in any other shape (written by hand, say) still goes that way.
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except (TypeError, ValueError):
                result: datetime | None = fallback(value)
                return result

        return read_sqlite_text
