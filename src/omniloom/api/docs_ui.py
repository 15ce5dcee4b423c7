"""The interactive API docs, with their assets served by omniloom rather than fetched from a CDN.

Integration developers often run the simulator on machines without internet access (CI runners,
sandboxes, air-gapped labs); a docs page that loads its JavaScript from a CDN is blank there.
Swagger UI (the page at ``/docs``) and Scalar (``/docs/scalar``, a pinned version) are
therefore bundled in docs_assets/. Every page, and ``/docs/openapi.json`` itself, shows the
document of api/openapi rather than Litestar's own.
"""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    ScalarRenderPlugin,
    SwaggerRenderPlugin,
)
from litestar.router import Router
from litestar.static_files import create_static_files_router

from omniloom.api.openapi import ContractRenderPlugin

ASSETS_DIRECTORY = Path(__file__).parent / "docs_assets"
ASSETS_PATH = "/docs/assets"
# Scalar would fetch its fonts from its own servers; the browser's fonts do offline.
SCALAR_OPTIONS = {"withDefaultFonts": False, "hideClientButton": True}


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS_DIRECTORY], include_in_schema=False
    )


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI first: the first plugin is the one ``/docs`` itself shows."""
    favicon = f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>"
    plugins: list[OpenAPIRenderPlugin] = [
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        ScalarRenderPlugin(
            path="/scalar",
            js_url=f"{ASSETS_PATH}/scalar-api-reference.js",
            css_url=f"{ASSETS_PATH}/scalar.css",
            options=SCALAR_OPTIONS,
            favicon=favicon,
        ),
        JsonRenderPlugin(),
    ]
    return [ContractRenderPlugin(plugin) for plugin in plugins]
