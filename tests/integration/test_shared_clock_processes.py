"""Two server processes on one PostgreSQL tell the same time: once a clock move answers in
one, the very next request to the other sees it, though processes hear of moves by NOTIFY
instead of reading the clock's row on every unit of work (services/kernel/clocks.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from omniloom.store.database import Database
from tests.support.server import running_server
from tests.support.store import ADMIN_KEY, WEB_KEY

ADMIN = {"X-API-Key": ADMIN_KEY}
START = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


def _now(client: httpx.Client) -> datetime:
    response = client.get("/v1/admin/clock", headers=ADMIN)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"])


def _cart_created_at(client: httpx.Client) -> datetime:
    response = client.post("/v1/carts", json={}, headers={"X-API-Key": WEB_KEY})
    assert response.status_code == 201, response.text
    return datetime.fromisoformat(response.json()["created_at"])


def test_a_clock_move_through_one_process_is_seen_by_the_others_next_request(
    store_db: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL only")
    env = {"OMNILOOM_CLOCK": "simulated"}
    with (
        running_server(database_url, env=env) as first_url,
        running_server(database_url, env=env) as second_url,
        httpx.Client(base_url=first_url, timeout=30) as first,
        httpx.Client(base_url=second_url, timeout=30) as second,
    ):
        expected = START
        for hours in range(1, 11):
            mover, other = (first, second) if hours % 2 else (second, first)
            moved = mover.post("/v1/admin/clock/advance", json={"hours": hours}, headers=ADMIN)
            assert moved.status_code == 200, moved.text
            expected += timedelta(hours=hours)
            # A write first: it reads no clock row, it trusts what the process heard.
            assert _cart_created_at(other) == expected
            assert _now(other) == expected

        frozen = second.put("/v1/admin/clock", json={"factor": 0}, headers=ADMIN)
        assert frozen.status_code == 200, frozen.text
        moved_to = first.post(
            "/v1/admin/clock/set", json={"at": "2026-12-24T18:00:00Z"}, headers=ADMIN
        )
        assert moved_to.status_code == 200, moved_to.text
        assert _cart_created_at(second) == datetime.fromisoformat("2026-12-24T18:00:00+00:00")
