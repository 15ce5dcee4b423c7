"""What every `omniloom` command shares: exit codes, one-line errors, opening an existing store.

Exit codes: 0 done; 1 the run failed (for `verify`: the store is not consistent); 2 the command
line is wrong (as argparse does: a bad option, value or file); 3 there is no store to work on
(no database there, or one never seeded). A command never shows a traceback: an error becomes
one line on stderr (set OMNILOOM_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omniloom.store.database import Database

EXIT_OK = 0
EXIT_FAILED = 1  # verify: the store is not consistent
EXIT_USAGE = 2
EXIT_NO_STORE = 3

SEED_HINT = "run `omniloom seed` to load the demo store"


class CliError(Exception):
    """A failure worth one line on stderr, with the exit code it means."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def shown(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def existing_store(url: str) -> Database:
    """Open the store at ``url``, or raise CliError(EXIT_NO_STORE) saying why not.

    A SQLite file that is not there is not created (opening it would leave an empty file
    behind), and a database without the demo store's keys is not a store yet.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from omniloom.store.database import open_database

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise CliError(f"not a database URL: {url!r} ({exc})", EXIT_USAGE) from exc
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise CliError(f"no database at {path or url!r}; {SEED_HINT}", EXIT_NO_STORE)
    try:
        database = open_database(url)
    except (ValueError, SQLAlchemyError) as exc:
        raise CliError(f"cannot open {shown(url)}: {_first_line(exc)}", EXIT_NO_STORE) from exc
    try:
        keys = database.run_blocking(_key_count)
    except SQLAlchemyError as exc:
        asyncio.run(database.close())
        raise CliError(f"cannot read {shown(url)}: {_first_line(exc)}", EXIT_NO_STORE) from exc
    if not keys:
        asyncio.run(database.close())
        raise CliError(f"the database {shown(url)} holds no store yet; {SEED_HINT}", EXIT_NO_STORE)
    return database


def _key_count(conn: object) -> int:
    from sqlalchemy import Connection, func, inspect, select

    from omniloom.store import tables

    assert isinstance(conn, Connection)
    if not inspect(conn).has_table(tables.api_keys.name):
        return 0
    return int(conn.execute(select(func.count()).select_from(tables.api_keys)).scalar_one())


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
