"""The demo store's channel merchandising: a social-only product, an app-only price and the
promotions, as every channel sees them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from omniloom.cli import main
from omniloom.config import Settings
from tests.support.app import app_client


async def test_each_channel_sees_its_own_assortment_prices_and_promotions(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert await asyncio.to_thread(main, ["seed", "--database-url", url, "--quiet"]) == 0
    async with app_client(Settings(database_url=url)) as client:

        async def product(key: str, product_id: str) -> int | dict[str, object]:
            response = await client.get(f"/v1/products/{product_id}", headers={"X-API-Key": key})
            return response.json() if response.status_code == 200 else response.status_code

        assert await product("olk_web_demo", "prd_000003") == 404
        assert await product("olk_mobile_demo", "prd_000003") == 404
        assert isinstance(await product("olk_social_demo", "prd_000003"), dict)

        web = await product("olk_web_demo", "prd_000002")
        app = await product("olk_mobile_demo", "prd_000002")
        assert isinstance(web, dict) and isinstance(app, dict)
        web_price = web["skus"][0]["price"]  # type: ignore[index]
        app_price = app["skus"][0]["price"]  # type: ignore[index]
        assert app_price["amount"] == web_price["amount"] * 85 // 100
        assert app_price["compare_at"] == web_price["amount"]

        promotions = (
            await client.get("/v1/admin/promotions", headers={"X-API-Key": "olk_admin_demo"})
        ).json()
        assert {(p["kind"], tuple(p["channels"] or ())) for p in promotions} == {
            ("buy_x_get_y", ("web",)),
            ("percent_off", ("pos",)),
            ("percent_off", ()),
        }
