"""Journey stages through one cross-channel journey on the simulated clock: aware on sign-up,
considering after browsing on the app, a purchase on the web, a repeat at the till days later,
an advocate after reviewing — on the customer, and counted per stage in the KPIs."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, headers
from tests.support.identity import as_customer, new_customer, sign_in
from tests.support.pos import open_shift
from tests.support.purchases import bought_at_the_till, bought_on_the_web, review
from tests.support.store import ADMIN_KEY, MOBILE_KEY

ADMIN = headers(ADMIN_KEY)
SOCIAL_KEY = "olk_social_demo"
PHONE = {"X-Device-Id": "app-install-7"}


async def stage(client: Client, customer_id: str, token: str) -> str:
    response = await client.get(f"/v1/customers/{customer_id}", headers=as_customer(token))
    assert response.status_code == 200, response.text
    found: str = response.json()["stage"]
    return found


async def kpi_stages(client: Client) -> dict[str, Any]:
    response = await client.get("/v1/analytics/kpis", headers=ADMIN)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    assert sum(report["customers_by_stage"].values()) == report["customers"]
    counts: dict[str, Any] = report["customers_by_stage"]
    return counts


async def advance(client: Client, **span: int) -> None:
    moved = await client.post("/v1/admin/clock/advance", json=span, headers=ADMIN)
    assert moved.status_code == 200, moved.text


async def test_a_shopper_moves_through_every_stage_across_channels(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    assert await stage(client, grace, token) == "awareness"

    # Browsing on the app, then signing in there: the browsing becomes Grace's.
    app = headers(MOBILE_KEY, **PHONE)
    assert (await client.get("/v1/products/prd_mug", headers=app)).status_code == 200
    await sign_in(client, "grace@example.com", key=MOBILE_KEY, device_id=PHONE["X-Device-Id"])
    assert await stage(client, grace, token) == "consideration"

    await advance(client, hours=2)
    await bought_on_the_web(client, grace, token, "SKU-MUG")
    assert await stage(client, grace, token) == "purchase"

    await advance(client, days=3)
    await open_shift(client)
    await bought_at_the_till(client, grace, "SKU-LAMP")
    assert await stage(client, grace, token) == "repeat"

    await advance(client, days=1)
    written = await review(client, "prd_lamp", as_customer(token, SOCIAL_KEY), rating=5)
    assert written.status_code == 201, written.text
    assert await stage(client, grace, token) == "advocacy"


async def test_the_kpis_count_customers_per_stage(client: Client) -> None:
    grace, grace_token = await new_customer(client, "grace@example.com")
    lin, lin_token = await new_customer(client, "lin@example.com")
    await new_customer(client, "kay@example.com")
    await bought_on_the_web(client, grace, grace_token, "SKU-MUG")
    await bought_on_the_web(client, lin, lin_token, "SKU-MUG")
    await bought_on_the_web(client, lin, lin_token, "SKU-TEE-M")
    before = await kpi_stages(client)
    assert before == {
        "awareness": 1,
        "consideration": 0,
        "purchase": 1,
        "repeat": 1,
        "advocacy": 0,
    }

    written = await review(client, "prd_tee", as_customer(lin_token), rating=4)
    assert written.status_code == 201, written.text

    after = await kpi_stages(client)
    assert (after["repeat"], after["advocacy"]) == (0, 1)
