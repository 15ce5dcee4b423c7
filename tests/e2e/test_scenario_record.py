"""A session recorded through the proxy replays, on a store seeded the same way, to the same
journal: the calls were kept as made, and the replay proves ownership by itself."""

from __future__ import annotations

from pathlib import Path

import httpx

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.scenarios import journal
from omniloom.scenarios.loader import load
from omniloom.scenarios.record import Recorder
from omniloom.scenarios.runner import copy_demo_store, drive_async, httpx_carrier, run_in_process

ADDRESS = {
    "name": "Ada L",
    "line1": "1 Main St",
    "city": "Columbus",
    "postal_code": "43004",
    "country": "US",
}


def _proof(body: dict, header: str, field: str) -> dict[str, str]:
    return {header: body[field]} if body.get(field) else {}


async def test_a_recorded_session_replays_to_the_same_journal(tmp_path: Path) -> None:
    database = tmp_path / "recorded.db"
    await copy_demo_store(database)
    app = create_app(Settings(database_url=f"sqlite:///{database}", id_seed=42))
    up = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan(), httpx.AsyncClient(transport=up, base_url="http://up") as upstream:
        recorder = Recorder(upstream, seed=42, name="recorded checkout")
        proxy = httpx.ASGITransport(app=recorder)
        async with httpx.AsyncClient(transport=proxy, base_url="http://proxy") as client:
            web = {"X-API-Key": "olk_web_demo", "X-Device-Id": "dev-recorded-1"}
            cart = (await client.post("/v1/carts", json={}, headers=web)).json()
            proof = {**web, **_proof(cart, "X-Cart-Token", "cart_token")}
            added = await client.post(
                f"/v1/carts/{cart['id']}/lines",
                json={"sku": "SKU-000001-01", "quantity": 2},
                headers=proof,
            )
            assert added.status_code == 200, added.text
            body = {
                "fulfilment": {"type": "ship", "address": ADDRESS},
                "payment": {"method": "card", "card_number": "4242424242424242"},
            }
            order = await client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=proof)
            assert order.status_code == 201, order.text
        recorded = await drive_async(journal.read_events(0), httpx_carrier(upstream))
    path = tmp_path / "recorded.yaml"
    path.write_text(recorder.scenario_text())
    assert [s["expect"]["status"] for s in recorder.steps] == [201, 200, 201]
    replay = await run_in_process(load(path))
    assert replay.passed, [s.message for o in replay.outcomes for s in o.failures]
    assert replay.journal == journal.encode(recorded)
