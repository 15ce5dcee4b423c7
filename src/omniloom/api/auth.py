"""API keys: who is calling, from which channel, and what they may reach."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import Scope as Scope_

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


REQUIRED_SCOPE = "omniloom.scope"  # route handler `opt` key naming the scope a route needs


REQUIRED_CHANNELS = "omniloom.channels"  # `opt` key: the only channels a route is for


def requires_any(*scopes: Scope) -> dict[str, Any]:
    """The ``opt`` of a route that keys of any of ``scopes`` may use (identify at any door)."""
    return {REQUIRED_SCOPE: frozenset(scopes)}


def requires(scope: Scope, *channels: Channel) -> dict[str, Any]:
    """The ``opt`` a controller or route declares: the scope it needs and, when it is one
    channel's door (social posts, say), the channels whose keys may use it. Admin keys may
    use every route."""
    opt: dict[str, Any] = {REQUIRED_SCOPE: frozenset({scope})}
    if channels:
        opt[REQUIRED_CHANNELS] = frozenset(channels)
    return opt


def _presented_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"x-api-key":
            return value.decode("latin-1")
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].decode("latin-1").strip()
    return None


def principal(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKey:
    """The caller's key, checked by the middleware before the handler runs."""
    found: ApiKey = connection.scope[PRINCIPAL_KEY]  # type: ignore[literal-required]
    return found


def store_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The store a till's key belongs to; None for keys of no store (admin, storefronts)."""
    return principal(connection).location_id


def check_key(scope: Scope_, scopes: frozenset[Scope], channels: frozenset[Channel]) -> ApiKey:
    """The caller's key, if it may use a route open to ``scopes`` (and only ``channels``, when
    given; admin keys pass every route). Kept on the scope for ``principal``."""
    presented = _presented_key(scope["headers"])
    if presented is None:
        raise AuthenticationRequired("Send an API key in the X-API-Key header.")
    # Item access: State's attribute access goes through a failed lookup (and its
    # formatted AttributeError) before __getattr__ finds the key, on every request.
    key: ApiKey | None = scope["litestar_app"].state["keyring"].get(presented)
    if key is None:
        raise InvalidApiKey("The API key is not known to this store.")
    if not any(key.allows(s) for s in scopes):
        names = " or ".join(sorted(scopes))
        raise OutOfScope(f"A {key.channel} key cannot reach {names} routes.")
    if channels and key.channel not in channels and not key.allows(Scope.ADMIN):
        names = ", ".join(sorted(channels))
        raise OutOfScope(f"A {key.channel} key cannot reach {names} routes.")
    scope[PRINCIPAL_KEY] = key  # type: ignore[literal-required]
    return key
