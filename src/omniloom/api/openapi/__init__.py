"""The OpenAPI document as integration developers get it (see builder.py for what it adds)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

from omniloom.api.openapi.builder import build

_STATE_KEY = "omniloom.openapi_document"


def document(app: Litestar) -> dict[str, Any]:
    """The app's document, built on first use and kept by the app (most apps in a test run
    never serve it, so it is not built up front)."""
    found: dict[str, Any] | None = app.state.get(_STATE_KEY)
    if found is None:
        found = app.state[_STATE_KEY] = build(app)
    return found


class ContractRenderPlugin(OpenAPIRenderPlugin):
    """Serves ``inner``'s page or file with this document instead of Litestar's own."""

    def __init__(self, inner: OpenAPIRenderPlugin) -> None:
        super().__init__(
            path=inner.paths, media_type=inner.media_type, favicon=inner.favicon, style=inner.style
        )
        self.inner = inner

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return self.inner.render(request, document(request.app))
