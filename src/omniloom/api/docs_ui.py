"""The interactive API docs, with their assets served by omniloom rather than fetched from a CDN.

Integration developers often run the simulator on machines without internet access (CI runners,
sandboxes, air-gapped labs); a docs page that loads its JavaScript from a CDN is blank there.
Swagger UI is therefore bundled (docs_assets/) and is the page at ``/docs``; Scalar, which only
loads from its CDN, stays at ``/docs/scalar`` for those who are online.
"""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import OpenAPIRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

ASSETS_DIRECTORY = Path(__file__).parent / "docs_assets"
ASSETS_PATH = "/docs/assets"


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS_DIRECTORY], include_in_schema=False
    )


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI first: the first plugin is the one ``/docs`` itself shows."""
    favicon = f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>"
    return [
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        ScalarRenderPlugin(path="/scalar", favicon=favicon),
    ]
