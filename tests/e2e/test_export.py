"""`omniloom export touchpoints` writes the journal people can load elsewhere."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from omniloom.cli import main
from tests.support.api import Client, headers
from tests.support.store import MOBILE_KEY

PHONE = {"X-Device-Id": "dev-export-1"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_export_touchpoints(
    client: Client, database_url: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await client.get(
        "/v1/products/prd_mug", params={"utm_source": "mail"}, headers=headers(MOBILE_KEY, **PHONE)
    )
    await client.post("/v1/carts", json={}, headers=headers(MOBILE_KEY, **PHONE))
    out = tmp_path / f"touchpoints.{fmt}"

    code = await asyncio.to_thread(
        main,
        [
            "export",
            "touchpoints",
            "--format",
            fmt,
            "--out",
            str(out),
            "--database-url",
            database_url,
        ],
    )

    assert code == 0
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        campaign = rows[0]["campaign"]
    else:
        rows = list(csv.DictReader(out.open()))
        campaign = json.loads(rows[0]["campaign"])
    assert [row["type"] for row in rows] == ["catalog.product_viewed", "cart.created"]
    assert {row["device_id"] for row in rows} == {"dev-export-1"}
    assert campaign == {"source": "mail"}
    assert "exported 2 touchpoints" in capsys.readouterr().err
