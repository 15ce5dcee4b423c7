"""On PostgreSQL a checkout is one round trip to the database (with an Idempotency-Key too), an
add to cart one, when the process remembers the cart as it left it (services/carts/seen.py);
two when it must read the cart first.

Each round trip is a wait for the database while the request's connection (and, in the last
one, the cart's and the stock rows' locks) are held; their count is what keeps one server
process's throughput within reach of the embedded store. Counted here as statements sent by the
driver, once every statement is prepared (the steady state of a running server).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from asyncpg import prepared_stmt

from omniloom.config import Settings
from omniloom.store.database import Database
from tests.support.api import add, checkout_body, headers, new_cart
from tests.support.app import app_client


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[list[str]]:
    """The statements asyncpg sends, as they are sent: extended-protocol executions (the
    lane's and SQLAlchemy's prepared ones) and simple queries (BEGIN, COMMIT)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("round trips to PostgreSQL")
    log: list[str] = []
    connection = asyncpg.connection.Connection
    do_execute = connection._do_execute
    execute = connection.execute
    bind_execute = prepared_stmt.PreparedStatement._PreparedStatement__bind_execute

    async def counted_do_execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        log.append(query)
        return await do_execute(self, query, *args, **kwargs)

    async def counted_execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:  # with arguments it goes on to _do_execute, counted there
            log.append(query)
        return await execute(self, query, *args, **kwargs)

    async def counted_bind_execute(self: Any, *args: Any) -> Any:
        log.append(self.get_query())
        return await bind_execute(self, *args)

    monkeypatch.setattr(connection, "_do_execute", counted_do_execute)
    monkeypatch.setattr(connection, "execute", counted_execute)
    monkeypatch.setattr(
        prepared_stmt.PreparedStatement,
        "_PreparedStatement__bind_execute",
        counted_bind_execute,
    )
    yield log


async def test_checkout_add_to_cart_and_replay_take_few_round_trips(
    store_db: Database, settings: Settings, sent: list[str]
) -> None:
    # The system clock: the simulated one is read from the database (services/kernel/clocks).
    system_clock = dataclasses.replace(settings, clock_mode="system")
    async with app_client(system_clock, store_db) as client:
        # Once through every statement, so that each is prepared and the caches are warm.
        warm = await new_cart(client)
        await add(client, warm["id"], "SKU-MUG", 1)
        await add(client, warm["id"], "SKU-MUG", 1)
        checkout = f"/v1/carts/{warm['id']}/checkout"
        key = headers(**{"Idempotency-Key": "warm"})
        assert (await client.post(checkout, json=checkout_body(), headers=key)).status_code == 201
        # A sale makes the SKU's stock level be read anew, once.
        await add(client, (await new_cart(client))["id"], "SKU-MUG", 1)
        cart = await new_cart(client)
        other = await new_cart(client)
        unknown = await new_cart(client)
        remembered = client.app.state["runtime"].carts_seen

        trips: dict[str, int] = {}
        for name, path, key in (
            ("add to cart", f"/v1/carts/{cart['id']}/lines", headers()),
            ("add more of a line", f"/v1/carts/{cart['id']}/lines", headers()),
            ("add to another cart", f"/v1/carts/{other['id']}/lines", headers()),
            # As a process that did not serve the cart so far (or restarted since) finds it.
            ("add to a cart not remembered", f"/v1/carts/{unknown['id']}/lines", headers()),
            # Remembered as it was before a change through another process.
            ("add to a cart remembered stale", f"/v1/carts/{unknown['id']}/lines", headers()),
            # (adds first: after a sale the SKU's stock level is read anew)
            ("checkout", f"/v1/carts/{cart['id']}/checkout", headers()),
            (
                "checkout with an Idempotency-Key",
                f"/v1/carts/{other['id']}/checkout",
                headers(**{"Idempotency-Key": "k-1"}),
            ),
            (
                "its replay",
                f"/v1/carts/{other['id']}/checkout",
                headers(**{"Idempotency-Key": "k-1"}),
            ),
        ):
            body = (
                checkout_body() if path.endswith("checkout") else {"sku": "SKU-MUG", "quantity": 1}
            )
            if name == "add to a cart not remembered":
                remembered.forget(unknown["id"])
            if name == "add to a cart remembered stale":
                stale = remembered.take(unknown["id"])
                await add(client, unknown["id"], "SKU-MUG", 1)  # read and remembered anew
                remembered.forget(unknown["id"])
                remembered.keep(*stale)
            sent.clear()
            response = await client.post(path, json=body, headers=key)
            assert response.status_code < 300, response.text
            trips[name] = len(sent)

    assert trips == {
        # The cart as this process left it: everything written in one statement, its own
        # transaction, on the condition that the cart and its lines are still as remembered.
        "add to cart": 1,
        "add more of a line": 1,
        "add to another cart": 1,
        # Read the cart and its lines first.
        "add to a cart not remembered": 2,
        # The guard misses and nothing stays; the unit runs again, reading the cart first,
        # still holding its writes back (not the run that locks as it goes).
        "add to a cart remembered stale": 3,
        "checkout": 1,
        # The key is assumed new and inserted in that same statement (its unique index catches
        # a used one).
        "checkout with an Idempotency-Key": 1,
        # Read the cart: closed, so a run that locks decides: BEGIN, claim the key (taken),
        # read the first response, COMMIT. Retries are rare; every first request pays nothing.
        "its replay": 5,
    }
