"""The request log a load's verdict (or a person) reads: one JSON line per request, with the
route's template, the status the client saw, the key's channel and the request id it was given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from omniloom.api.app import create_app
from omniloom.api.request_log import read_lines
from omniloom.config import Settings
from omniloom.store.database import Database
from tests.support.api import Client, headers
from tests.support.wallet import ShopperClient


@pytest.fixture
async def logged(
    store_db: Database, settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[Client, Path]]:
    log = tmp_path / "requests.jsonl"
    on = Settings(database_url=settings.database_url, request_log=str(log))
    async with ShopperClient(app=create_app(on, store_db)) as client:
        yield client, log


async def test_each_request_is_one_line_with_its_route_status_channel_and_id(
    logged: tuple[Client, Path],
) -> None:
    client, log = logged
    found = await client.get("/v1/products/prd_tee", headers=headers())
    missing = await client.get("/v1/products/prd_none", headers=headers())
    no_key = await client.get("/v1/products/prd_tee")
    nowhere = await client.get("/v1/nowhere", headers=headers())

    lines = read_lines(str(log))
    assert [(line.method, line.route, line.status, line.channel) for line in lines] == [
        ("GET", "/v1/products/{product_id}", 200, "web"),
        ("GET", "/v1/products/{product_id}", 404, "web"),
        ("GET", "/v1/products/{product_id}", 401, None),
        ("GET", "/v1/nowhere", 404, None),
    ]
    answers = [found, missing, no_key, nowhere]
    assert [a.headers["x-request-id"] for a in answers] == [line.request_id for line in lines]
    assert len({line.request_id for line in lines}) == 4
    assert all(line.duration_ms >= 0 for line in lines)


async def test_a_clients_request_id_is_kept_when_it_looks_like_one(
    logged: tuple[Client, Path],
) -> None:
    client, log = logged
    kept = await client.get("/health", headers={"X-Request-Id": "locust-w1-42"})
    odd = await client.get("/health", headers={"X-Request-Id": "no spaces; please"})
    assert kept.headers["x-request-id"] == "locust-w1-42"
    assert odd.headers["x-request-id"] != "no spaces; please"
    assert read_lines(str(log))[0].request_id == "locust-w1-42"


async def test_without_the_setting_there_is_no_log_but_still_an_id(client: Client) -> None:
    answer = await client.get("/health")
    assert answer.headers["x-request-id"].startswith("req_")
