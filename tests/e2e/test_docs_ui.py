"""The interactive docs load everything they need from omniloom itself, so they work offline."""

from __future__ import annotations

import re

from tests.support.api import Client

_ASSET = re.compile(r"""(?:src|href)=['"]([^'"]+)['"]""")


async def test_docs_page_needs_nothing_from_the_internet(client: Client) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assets = _ASSET.findall(page.text)
    assert len(assets) >= 3, page.text
    for url in assets:
        assert url.startswith("/docs/assets/"), f"{url} would need the internet"
        served = await client.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 500, url


async def test_docs_assets_need_no_api_key_and_unknown_ones_are_404(client: Client) -> None:
    assert (await client.get("/docs/assets/swagger-ui.css")).status_code == 200
    assert (await client.get("/docs/assets/nothing-here.js")).status_code == 404
    assert (await client.get("/docs/scalar")).status_code == 200


async def test_scalar_is_pinned_and_needs_nothing_from_the_internet(client: Client) -> None:
    page = await client.get("/docs/scalar")
    assert page.status_code == 200
    assets = _ASSET.findall(page.text)
    assert "/docs/assets/scalar-api-reference.js" in assets, page.text
    for url in assets:
        assert url.startswith("/docs/"), f"{url} would need the internet"
        assert (await client.get(url)).status_code == 200, url
    assert "withDefaultFonts" in page.text  # no fonts fetched from Scalar's servers
