"""API keys: who is calling, from which channel, and what they may reach."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from omniloom.domain.channels import ApiKey, Channel, Scope
from omniloom.domain.errors import AuthenticationRequired, InvalidApiKey, OutOfScope

PRINCIPAL_KEY = "omniloom.principal"


class KeyRing:
    """The API keys the server accepts, loaded once at start-up."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._keys = {
            row["key"]: ApiKey(
                key=row["key"],
                name=row["name"],
                channel=Channel(row["channel"]),
                scopes=frozenset(Scope(s) for s in row["scopes"]),
                location_id=row["location_id"],
            )
            for row in rows
        }

    def get(self, key: str) -> ApiKey | None:
        return self._keys.get(key)


def _presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    key = connection.headers.get("x-api-key")
    if key:
        return key
    authorization = connection.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def principal(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKey:
    """The caller's key, checked by the route's guard before the handler runs."""
    found: ApiKey = connection.scope[PRINCIPAL_KEY]  # type: ignore[literal-required]
    return found


def require(scope: Scope) -> Any:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        presented = _presented_key(connection)
        if presented is None:
            raise AuthenticationRequired("Send an API key in the X-API-Key header.")
        key = connection.app.state.keyring.get(presented)
        if key is None:
            raise InvalidApiKey("The API key is not known to this store.")
        if not key.allows(scope):
            raise OutOfScope(f"A {key.channel} key cannot reach {scope} routes.")
        connection.scope[PRINCIPAL_KEY] = key  # type: ignore[literal-required]

    return guard
