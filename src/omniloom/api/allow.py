"""OPTIONS answers name every method of the path in ``Allow`` (RFC 9110, 10.2.1).

Litestar gives each route an OPTIONS handler that lists the route's methods. A path whose
handlers are added in two steps (``GET /v1/admin/clock`` and its ``PUT``, say) is rebuilt as one
route that keeps the OPTIONS handler of the first step, so ``Allow`` named only that step's
methods: a client asking what it may do at a path was told less than the document promises.
This ``before_send`` hook puts the whole list back, read once from the app's own routes.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

_ALLOW = b"allow"


def _methods_by_path(app: Litestar) -> dict[str, bytes]:
    return {
        route.path_format: ", ".join(sorted(route.methods)).encode()
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


class AllowEveryMethod:
    """The hook; the path → methods table is built on the first OPTIONS answer, once every route
    is in place."""

    def __init__(self) -> None:
        self._allowed: dict[str, bytes] | None = None

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
        if not any(name.lower() == _ALLOW for name, _ in headers):
            return
        if self._allowed is None:
            self._allowed = _methods_by_path(scope["litestar_app"])
        allow = self._allowed.get(scope.get("path_template", ""))
        if allow is not None:
            kept: list[Any] = [(n, v) for n, v in headers if n.lower() != _ALLOW]
            message["headers"] = [*kept, (_ALLOW, allow)]
