"""Customer tokens: which shopper is calling, on top of which app (the API key) they use.

A signed-in shopper's client sends the bearer token from ``POST /v1/sessions`` in
``X-Customer-Token``; the API key keeps travelling in ``X-API-Key``. A customer token sees only
its own customer's data; an admin key sees everybody's.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from omniloom.api.auth import principal
from omniloom.api.headers import header
from omniloom.api.http import runtime_of
from omniloom.domain.channels import Scope
from omniloom.domain.errors import CustomerTokenRequired, NotYourData
from omniloom.services.identity import sign_in

CUSTOMER_TOKEN_HEADER = "x-customer-token"
_TOKEN_HEADER_BYTES = CUSTOMER_TOKEN_HEADER.encode()
# Where the customer a request's token names is kept once looked up: the access check and the
# handler both ask, and the token is read from the database once.
_CUSTOMER_KEY = "omniloom.customer"
_UNSET = object()

Connection = ASGIConnection[Any, Any, Any, Any]


def presented_token(connection: Connection) -> str | None:
    return header(connection, _TOKEN_HEADER_BYTES)


async def current_customer(connection: Connection) -> str | None:
    """The signed-in customer, or None when no token was sent.

    A token that is unknown (signed out) or past its expiry on the simulated clock is refused
    with 401 ``invalid_token`` / ``token_expired`` rather than treated as anonymous, so a client
    learns it must sign in again.
    """
    scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
    known = scope.get(_CUSTOMER_KEY, _UNSET)
    if known is not _UNSET:
        return known if known is None else str(known)
    token = presented_token(connection)
    customer: str | None = None
    if token is not None:
        runtime = runtime_of(connection)
        now = runtime.clock.now()
        customer = await runtime.read(lambda conn: sign_in.token_owner(conn, token, now))
    scope[_CUSTOMER_KEY] = customer
    return customer


async def authorize_customer(connection: Connection, customer_id: str) -> None:
    """Let the request through only for ``customer_id``'s own token, or an admin key."""
    if principal(connection).allows(Scope.ADMIN):
        return
    caller = await current_customer(connection)
    if caller is None:
        raise CustomerTokenRequired("Sign in and send the token in X-Customer-Token.")
    if caller != customer_id:
        raise NotYourData("A customer token reaches only its own customer's data.")


async def acting_customer(connection: Connection) -> str | None:
    """The signed-in customer whose data this request may touch; None for admin keys and for
    clients that send no token."""
    if principal(connection).allows(Scope.ADMIN):
        return None
    return await current_customer(connection)
