"""Register, sign in and out: salted password hashes, bearer tokens on the simulated clock.

Password hashing is deliberately slow (scrypt), so it runs on a worker thread, never inside a
unit of work: the SQLite writer is the event loop itself and must not wait on it.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Annotated

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import (
    FieldError,
    IdentifierTaken,
    InvalidCredentials,
    InvalidCustomerToken,
    TokenExpired,
)
from omniloom.domain.identity import (
    MIN_PASSWORD,
    PASSWORD_ALGORITHM,
    IdentifierKind,
    MergeStrategy,
    hash_password,
    normalise,
    password_matches,
    token_digest,
)
from omniloom.services.carts.merge import MergeResult
from omniloom.services.identity.identify import (
    CustomerView,
    ShopperDevice,
    customer_view,
    merge_shoppers_cart,
    resolve_identifier,
)
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import identity_queries

SALT_BYTES = 16

Password = Annotated[str, msgspec.Meta(min_length=MIN_PASSWORD, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
EmailText = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
PhoneText = Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
CartRef = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class Register(msgspec.Struct, forbid_unknown_fields=True):
    email: EmailText
    password: Password
    first_name: Name
    last_name: Name
    phone: PhoneText | None = None


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    email: EmailText
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    cart_id: CartRef | None = None
    device_id: CartRef | None = None
    merge: MergeStrategy = MergeStrategy.SUM


class Registered(msgspec.Struct, frozen=True):
    customer: CustomerView
    linked_orders: list[str]


class Session(msgspec.Struct, frozen=True):
    token: str
    customer_id: str
    expires_at: datetime
    merge: MergeResult | None = None


async def hash_new_password(password: str) -> tuple[str, str]:
    """(hash, salt as hex) of a password, computed off the event loop."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = await asyncio.to_thread(hash_password, password, salt)
    return digest, salt.hex()


def register(unit: Unit, command: Register, password_hash: str, salt: str) -> Registered:
    email = normalise(IdentifierKind.EMAIL, command.email, "email")
    phone = (
        None if command.phone is None else normalise(IdentifierKind.PHONE, command.phone, "phone")
    )
    conn = unit.conn
    if resolve_identifier(conn, IdentifierKind.EMAIL, email) is not None:
        raise IdentifierTaken(
            "An account with this email exists; sign in instead.",
            errors=[FieldError("email", "already registered")],
        )
    if phone is not None and identity_queries.identifier_owner(conn, "phone", phone) is not None:
        raise IdentifierTaken(
            "This phone number belongs to another customer.",
            errors=[FieldError("phone", "already registered")],
        )
    customer_id = unit.ids.new("cus")
    row = {
        "id": customer_id,
        "email": email,
        "phone": phone,
        "first_name": command.first_name,
        "last_name": command.last_name,
        "created_at": unit.now,
    }
    try:
        identity_queries.insert_customer(conn, row)
        for kind, value in ((IdentifierKind.EMAIL, email), (IdentifierKind.PHONE, phone)):
            if value is not None:
                identity_queries.add_identifier(
                    conn,
                    kind=kind,
                    value=value,
                    customer_id=customer_id,
                    channel=unit.channel,
                    now=unit.now,
                )
    except identity_queries.unique_violation(conn) as exc:
        # A registration racing this one on PostgreSQL won the unique index.
        raise IdentifierTaken("An account with this email or phone exists.") from exc
    identity_queries.insert_credentials(
        conn,
        customer_id=customer_id,
        password_hash=password_hash,
        salt=salt,
        algorithm=PASSWORD_ALGORITHM,
        now=unit.now,
    )
    unit.emit("customer.registered", customer_id=customer_id)
    linked = identity_queries.link_guest_orders(conn, email, customer_id)
    for order_id in linked:
        unit.emit("order.customer_linked", order_id=order_id, customer_id=customer_id)
    if linked:
        unit.emit("customer.guest_orders_linked", customer_id=customer_id, order_ids=linked)
    return Registered(customer_view(row, None), linked)


async def check_password(runtime: Runtime, email_text: str, password: str) -> str:
    """The customer id the email and password belong to, or InvalidCredentials."""
    email = normalise(IdentifierKind.EMAIL, email_text, "email")

    def lookup(conn: Connection) -> tuple[str, tuple[str, str, str] | None] | None:
        customer_id = resolve_identifier(conn, IdentifierKind.EMAIL, email)
        if customer_id is None:
            return None
        return customer_id, identity_queries.credentials_of(conn, customer_id)

    found = await runtime.read(lookup)
    # The same answer for an unknown email and a wrong password: no account probing.
    if found is None or found[1] is None:
        raise InvalidCredentials("The email or password is not right.")
    customer_id, (stored, salt, algorithm) = found[0], found[1]
    ok = await asyncio.to_thread(password_matches, password, bytes.fromhex(salt), stored, algorithm)
    if not ok:
        raise InvalidCredentials("The email or password is not right.")
    return customer_id


def open_session(
    runtime: Runtime,
    unit: Unit,
    customer_id: str,
    command: SignIn,
    device: ShopperDevice | None,
) -> Session:
    """Issue a token and bring the shopper's anonymous cart along, in one unit of work."""
    # Lock the customer before the token row's foreign key takes a share lock on it: two
    # sign-ins that each held the share lock would deadlock upgrading it for the merge.
    identity_queries.lock_customer(unit.conn, customer_id)
    token = secrets.token_urlsafe(32)
    expires_at = unit.now + runtime.settings.customer_token_ttl
    identity_queries.insert_token(
        unit.conn,
        token_hash=token_digest(token),
        customer_id=customer_id,
        issued_at=unit.now,
        expires=expires_at,
    )
    unit.emit("customer.signed_in", customer_id=customer_id)
    merge = merge_shoppers_cart(runtime, unit, customer_id, command.cart_id, device, command.merge)
    return Session(token, customer_id, expires_at, merge)


def close_session(unit: Unit, token: str) -> None:
    digest = token_digest(token)
    found = identity_queries.token(unit.conn, digest)
    if found is None:
        raise InvalidCustomerToken("The customer token is not known to this store.")
    identity_queries.delete_token(unit.conn, digest)
    unit.emit("customer.signed_out", customer_id=found[0])


def token_owner(conn: Connection, token: str, now: datetime) -> str:
    """The customer a token signs in, checked against the (simulated) clock."""
    found = identity_queries.token(conn, token_digest(token))
    if found is None:
        raise InvalidCustomerToken("The customer token is not known to this store.")
    customer_id, expires_at = found
    if expires_at <= now:
        raise TokenExpired("The customer token has expired; sign in again.")
    return customer_id
