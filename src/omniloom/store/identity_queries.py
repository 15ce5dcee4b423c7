"""Customers, their identity graph, credentials, tokens and merges (lean statement lane)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from omniloom.store import raw
from omniloom.store.tables import (
    customer_credentials,
    customer_identifiers,
    customer_merges,
    customer_tokens,
    customers,
    orders,
    reservations,
)

CUSTOMER_COLUMNS = tuple(column.name for column in customers.columns)

_INSERT_CUSTOMER = customers.insert()
_CUSTOMER = select(customers).where(customers.c.id == bindparam("customer_id"))
# FOR UPDATE takes the row lock on PostgreSQL; SQLite compiles it away (its writer is serial).
_LOCK_CUSTOMER = (
    select(customers.c.id).where(customers.c.id == bindparam("customer_id")).with_for_update()
)
_BY_EMAIL = select(customers.c.id).where(customers.c.email == bindparam("email"))

_IDENTIFIER_OWNER = select(customer_identifiers.c.customer_id).where(
    customer_identifiers.c.kind == bindparam("kind"),
    customer_identifiers.c.value == bindparam("value"),
)
_INSERT_IDENTIFIER = customer_identifiers.insert()
_IDENTIFIERS = (
    select(
        customer_identifiers.c.kind,
        customer_identifiers.c.value,
        customer_identifiers.c.channel,
        customer_identifiers.c.added_at,
    )
    .where(customer_identifiers.c.customer_id == bindparam("customer_id"))
    .order_by(customer_identifiers.c.added_at, customer_identifiers.c.kind)
)
_MOVE_IDENTIFIERS = (
    update(customer_identifiers)
    .where(customer_identifiers.c.customer_id == bindparam("b_from"))
    .values(customer_id=bindparam("b_to"))
)

_INSERT_CREDENTIALS = customer_credentials.insert()
_CREDENTIALS = select(
    customer_credentials.c.password_hash,
    customer_credentials.c.salt,
    customer_credentials.c.algorithm,
).where(customer_credentials.c.customer_id == bindparam("customer_id"))
_MOVE_CREDENTIALS = (
    update(customer_credentials)
    .where(customer_credentials.c.customer_id == bindparam("b_from"))
    .values(customer_id=bindparam("b_to"))
)
_DELETE_CREDENTIALS = delete(customer_credentials).where(
    customer_credentials.c.customer_id == bindparam("b_id")
)

_INSERT_TOKEN = customer_tokens.insert()
_TOKEN = select(customer_tokens.c.customer_id, customer_tokens.c.expires_at).where(
    customer_tokens.c.token_hash == bindparam("token_hash")
)
_DELETE_TOKEN = delete(customer_tokens).where(customer_tokens.c.token_hash == bindparam("b_hash"))
_DELETE_TOKENS_OF = delete(customer_tokens).where(
    customer_tokens.c.customer_id == bindparam("b_id")
)

# Guest checkouts keep the address as typed; compare it the way identifiers are normalised.
_LINK_GUEST_ORDERS = (
    update(orders)
    .where(func.lower(orders.c.email) == bindparam("b_email"), orders.c.customer_id.is_(None))
    .values(customer_id=bindparam("b_customer"))
    .returning(orders.c.id)
)
_MOVE_ORDERS = (
    update(orders)
    .where(orders.c.customer_id == bindparam("b_from"))
    .values(customer_id=bindparam("b_to"))
    .returning(orders.c.id)
)

_INSERT_MERGE = customer_merges.insert()
_MERGED_INTO = select(customer_merges.c.survivor_id).where(
    customer_merges.c.merged_id == bindparam("customer_id")
)

_MOVE_HOLD = (
    update(reservations)
    .where(reservations.c.id == bindparam("b_id"))
    .values(cart_id=bindparam("b_cart"), expires_at=bindparam("b_expires"))
)


def unique_violation(conn: Connection) -> type[Exception]:
    """The driver's IntegrityError: the lean lane runs on the DBAPI cursor, not SQLAlchemy."""
    error: type[Exception] = conn.dialect.dbapi.IntegrityError  # type: ignore[union-attr]
    return error


# --- Customers ---------------------------------------------------------------------------------


def insert_customer(conn: Connection, values: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_CUSTOMER, [values])


def customer(conn: Connection, customer_id: str) -> dict[str, Any] | None:
    row = raw.first(conn, _CUSTOMER, {"customer_id": customer_id})
    return None if row is None else dict(zip(CUSTOMER_COLUMNS, row, strict=True))


def lock_customer(conn: Connection, customer_id: str) -> bool:
    """Serialise identity changes per customer; False when there is no such customer."""
    return raw.first(conn, _LOCK_CUSTOMER, {"customer_id": customer_id}) is not None


def customer_with_email(conn: Connection, email: str) -> str | None:
    row = raw.first(conn, _BY_EMAIL, {"email": email})
    return None if row is None else str(row[0])


def merged_into(conn: Connection, customer_id: str) -> str | None:
    row = raw.first(conn, _MERGED_INTO, {"customer_id": customer_id})
    return None if row is None else str(row[0])


def record_merge(conn: Connection, merged_id: str, survivor_id: str, now: datetime) -> None:
    raw.insert_many(
        conn,
        _INSERT_MERGE,
        [{"merged_id": merged_id, "survivor_id": survivor_id, "merged_at": now}],
    )


# --- The identity graph ------------------------------------------------------------------------


def identifier_owner(conn: Connection, kind: str, value: str) -> str | None:
    row = raw.first(conn, _IDENTIFIER_OWNER, {"kind": kind, "value": value})
    return None if row is None else str(row[0])


def add_identifier(
    conn: Connection, *, kind: str, value: str, customer_id: str, channel: str, now: datetime
) -> None:
    raw.insert_many(
        conn,
        _INSERT_IDENTIFIER,
        [
            {
                "kind": kind,
                "value": value,
                "customer_id": customer_id,
                "channel": channel,
                "added_at": now,
            }
        ],
    )


def identifiers_of(conn: Connection, customer_id: str) -> list[tuple[str, str, str, datetime]]:
    """(kind, value, channel first seen on, added at), oldest first."""
    return raw.rows(conn, _IDENTIFIERS, {"customer_id": customer_id})


def move_identifiers(conn: Connection, from_id: str, to_id: str) -> int:
    return raw.execute(conn, _MOVE_IDENTIFIERS, {"b_from": from_id, "b_to": to_id})


# --- Credentials and tokens --------------------------------------------------------------------


def insert_credentials(
    conn: Connection,
    *,
    customer_id: str,
    password_hash: str,
    salt: str,
    algorithm: str,
    now: datetime,
) -> None:
    raw.insert_many(
        conn,
        _INSERT_CREDENTIALS,
        [
            {
                "customer_id": customer_id,
                "password_hash": password_hash,
                "salt": salt,
                "algorithm": algorithm,
                "created_at": now,
            }
        ],
    )


def credentials_of(conn: Connection, customer_id: str) -> tuple[str, str, str] | None:
    """(password hash, salt as hex, algorithm), or None for a customer who never registered."""
    row = raw.first(conn, _CREDENTIALS, {"customer_id": customer_id})
    return None if row is None else (row[0], row[1], row[2])


def move_credentials(conn: Connection, from_id: str, to_id: str) -> None:
    raw.execute(conn, _MOVE_CREDENTIALS, {"b_from": from_id, "b_to": to_id})


def delete_credentials(conn: Connection, customer_id: str) -> None:
    raw.execute(conn, _DELETE_CREDENTIALS, {"b_id": customer_id})


def insert_token(
    conn: Connection, *, token_hash: str, customer_id: str, issued_at: datetime, expires: datetime
) -> None:
    raw.insert_many(
        conn,
        _INSERT_TOKEN,
        [
            {
                "token_hash": token_hash,
                "customer_id": customer_id,
                "issued_at": issued_at,
                "expires_at": expires,
            }
        ],
    )


def token(conn: Connection, token_hash: str) -> tuple[str, datetime] | None:
    """(customer id, expires at) of a token, by its hash."""
    row = raw.first(conn, _TOKEN, {"token_hash": token_hash})
    return None if row is None else (row[0], row[1])


def delete_token(conn: Connection, token_hash: str) -> int:
    return raw.execute(conn, _DELETE_TOKEN, {"b_hash": token_hash})


def delete_tokens_of(conn: Connection, customer_id: str) -> int:
    return raw.execute(conn, _DELETE_TOKENS_OF, {"b_id": customer_id})


# --- What a customer owns ----------------------------------------------------------------------


def link_guest_orders(conn: Connection, email: str, customer_id: str) -> list[str]:
    """Give a newly registered customer the guest orders placed with their email."""
    found = raw.rows(conn, _LINK_GUEST_ORDERS, {"b_email": email, "b_customer": customer_id})
    return sorted(str(row[0]) for row in found)


def move_orders(conn: Connection, from_id: str, to_id: str) -> list[str]:
    found = raw.rows(conn, _MOVE_ORDERS, {"b_from": from_id, "b_to": to_id})
    return sorted(str(row[0]) for row in found)


def move_hold(conn: Connection, hold_id: str, cart_id: str, expires_at: datetime) -> None:
    """Hand a stock hold to another cart: the units stay reserved, only their owner changes."""
    raw.execute(conn, _MOVE_HOLD, {"b_id": hold_id, "b_cart": cart_id, "b_expires": expires_at})
