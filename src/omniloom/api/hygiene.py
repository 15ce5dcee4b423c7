"""Text no store can keep, refused at the door: a NUL character in the path or the query.

PostgreSQL refuses NUL in text outright (a database error, so a 500, before this check), and
SQLite keeps it as a different value than any client meant. An id with one names nothing (404);
a query parameter with one is invalid input naming the parameter (422). Bodies are checked where
they are decoded (api/strict_body.py).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar.types import Scope

from omniloom.domain.errors import FieldError, InvalidInput, NotFound

_NUL_QUERY = (b"%00", b"\x00")


def refuse_nul(scope: Scope) -> None:
    if "\x00" in scope["path"]:
        raise NotFound("There is nothing at a path with a NUL character in it.")
    query: bytes = scope.get("query_string", b"")
    if query and any(mark in query for mark in _NUL_QUERY):
        names = [name for name, value in parse_qsl(query.decode("latin-1")) if "\x00" in value]
        raise InvalidInput(
            "A query parameter holds a NUL character, which no parameter may contain.",
            errors=[FieldError(name, "contains a NUL character") for name in names or ["query"]],
        )
