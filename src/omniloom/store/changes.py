"""What a unit of work changed, so that in-process caches can forget it.

Writes note the keys they touch on their connection (``touch``). A database that lets caches
listen (the embedded one, the only writer to its file) tells its listeners at once, so a read
later in the same batch does not see a value the batch has just changed, and again right after
the batch commits or rolls back, so nothing read in between outlives the commit.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

STOCK = "stock"
# Forget everything: what changed is not known (another process's notices may have been missed).
EVERYTHING = "*"
_TOUCHED = "omniloom.touched"
_NOTIFY = "omniloom.notify"

Touched = set[tuple[str, str]]
Listener = Callable[[Touched], None]


def touch(conn: Connection, kind: str, key: str) -> None:
    notify: Listener | None = conn.info.get(_NOTIFY)
    if notify is None:
        return  # nobody caches what this connection writes
    touched: Touched = conn.info.setdefault(_TOUCHED, set())
    touched.add((kind, key))
    notify({(kind, key)})


def watch(conn: Connection, notify: Listener) -> None:
    """Have writes on ``conn`` reported to ``notify``."""
    conn.info[_NOTIFY] = notify


def take(conn: Connection) -> Touched:
    """The keys touched since the last call."""
    touched: Touched = conn.info.pop(_TOUCHED, set())
    return touched
