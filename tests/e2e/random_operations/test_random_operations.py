"""A seeded random mix of everything shoppers, cashiers and staff do, and the store still adds up.

Operations are drawn by weight from a registry (one function per kind): app and web carts and
checkouts (ship and pickup, some cards declined), social orders, the till (shifts, sales, scans,
hand-offs from the app, voids, every tender, ship-to-home from the endless aisle), offline
register batches and the counts that settle their oversells, order moves, returns at a store and
by mail, even exchanges, returns without a receipt, and clock jumps that expire holds and cancel
pickups nobody collects. Each operation picks from a model of what exists (open carts, orders
and their states, returnable lines, open shifts, hand-off codes, gift cards) and sometimes picks
wrong on purpose; the model says what must happen, and every refusal must be a problem+json 4xx
with the code the model expects. At the end `verify` must pass, and the test checks stock per SKU
and location (against the inventory ledger and the storefront), money per order and gift-card
balances against its own model.

Reproduce a failure with the seed it prints: OMNILOOM_RANDOM_SEED=<seed>; run longer with
OMNILOOM_RANDOM_OPS=<n>.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest
from sqlalchemy import Connection, update

from omniloom.config import Settings
from omniloom.store import tables as t
from omniloom.store.database import Database
from tests.e2e.random_operations.checks import finish
from tests.e2e.random_operations.model import (
    CARD,
    DECLINES,
    DEPTH,
    OPERATIONS,
    SEED,
    Op,
    World,
    instant,
)
from tests.e2e.random_operations.offline import count_stock, offline_batch
from tests.e2e.random_operations.returns import exchange, return_without_receipt, returner
from tests.e2e.random_operations.staff import advance_clock, mover
from tests.e2e.random_operations.till import (
    close_shift,
    hand_off,
    issue_handoff_code,
    open_shift,
    pay,
    scan,
    ship_to_home,
    start_sale,
    void_line,
    void_sale,
)
from tests.e2e.random_operations.web import (
    add_to_cart,
    change_line,
    checkout,
    create_cart,
    social_order,
)
from tests.support.api import SHIP_TO, Client, headers
from tests.support.store import (
    ADMIN_KEY,
    MOBILE_KEY,
    NYC_REGISTERS,
    POS_KEY,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Stock held on add to cart, so clock jumps have holds to expire.
    return dataclasses.replace(settings, reservation_policy="add_to_cart")


@pytest.fixture
def store_db(store_db: Database) -> Database:
    def deepen(conn: Connection) -> None:
        inventory = t.inventory.c
        conn.execute(
            update(t.inventory).values(
                on_hand=inventory.on_hand * DEPTH, opening_on_hand=inventory.opening_on_hand * DEPTH
            )
        )

    store_db.run_blocking(deepen)
    return store_db


REGISTRY: dict[Op, int] = {
    create_cart: 5,
    add_to_cart: 14,
    change_line: 5,
    checkout: 9,
    social_order: 5,
    open_shift: 3,
    close_shift: 2,
    start_sale: 5,
    scan: 13,
    issue_handoff_code: 3,
    hand_off: 4,
    void_line: 2,
    void_sale: 2,
    pay: 11,
    ship_to_home: 3,
    mover("fulfilled", "fulfil"): 4,
    mover("ready_for_pickup", "ready"): 5,
    mover("picked_up", "picked-up", before=mover("ready_for_pickup", "ready")): 5,
    mover("cancelled", "cancel"): 2,
    returner(at_store=True): 4,
    returner(at_store=False): 3,
    exchange: 4,
    return_without_receipt: 2,
    offline_batch: 3,
    count_stock: 3,
    advance_clock: 3,
}
# Refusals the mix must have provoked, so the invalid half of the model was exercised too.
PROVOKED = {
    ("add_to_cart", "unknown_sku"),
    ("change_line", "cart_version_conflict"),
    ("checkout", "declined"),  # any of the declining magic cards
    ("open_shift", "shift_already_open"),
    ("scan", "unknown_barcode"),
    ("hand_off", "invalid_input"),
    ("pay", "tender_short"),
    ("exchange", "exchange_not_even"),
    ("move", "invalid_state_transition"),
    ("return", "invalid_input"),  # a line never bought
    ("return", "not_returnable"),  # a line already back, or an order not handed over
}
MIN_SUCCESSES = 3
MOVE_NAMES = {"fulfil", "ready", "picked_up", "cancel"}
RETURN_NAMES = {"return_at_store", "return_by_mail", "exchange"}  # all check lines alike


async def test_a_seeded_random_mix_across_every_channel_keeps_the_store_correct(
    client: Client,
) -> None:
    print(f"OMNILOOM_RANDOM_SEED={SEED} OMNILOOM_RANDOM_OPS={OPERATIONS}")
    rng = random.Random(SEED)
    clock = (await client.get("/v1/admin/clock", headers=headers(ADMIN_KEY))).json()
    w = World(client, rng, instant(clock["now"]))
    kinds, weights = list(REGISTRY), list(REGISTRY.values())
    where = "the start"
    try:
        for step in range(OPERATIONS):
            chosen = rng.choices(kinds, weights)[0]
            where = f"step {step} ({chosen.__name__})"
            await chosen(w)
        where = "the final checks"
        await finish(w)
    except Exception as failure:
        raise AssertionError(
            f"{where} failed; reproduce with OMNILOOM_RANDOM_SEED={SEED} "
            f"OMNILOOM_RANDOM_OPS={OPERATIONS}: {failure}"
        ) from failure
    kinds_placed = Counter(f"{o.channel}/{o.fulfilment}" for o in w.orders.values())
    print(f"{len(w.orders)} orders {dict(kinds_placed)}")
    print(f"succeeded {dict(w.succeeded)}; refused {dict(w.refused)}")
    names = {kind.__name__ for kind in kinds}
    thin = {name: w.succeeded[name] for name in names if w.succeeded[name] < MIN_SUCCESSES}
    assert not thin, f"seed {SEED}: too few successes {thin}; raise OMNILOOM_RANDOM_OPS"
    seen = set(w.refused) | {("return", code) for op, code in w.refused if op in RETURN_NAMES}
    seen |= {(op, "declined") for op, code in w.refused if code in DECLINES.values()}
    seen |= {("move", code) for op, code in w.refused if op in MOVE_NAMES}
    assert not PROVOKED - seen, f"seed {SEED} never provoked {PROVOKED - seen}"


# Found while building the mix (any seed, once the app touches a cart the till holds). --------


async def test_a_cart_handed_to_the_till_does_not_leave_the_register_stuck(
    client: Client,
) -> None:
    opened = await client.post(
        f"/v1/pos/registers/{NYC_REGISTERS[0]}/shifts",
        json={"associate_id": "emp_1", "opening_float": 0},
        headers=headers(POS_KEY),
    )
    assert opened.status_code == 201, opened.text
    cart = (await client.post("/v1/carts", json={}, headers=headers(MOBILE_KEY))).json()
    line = {"sku": "SKU-TEE-M", "quantity": 1}
    added = await client.post(
        f"/v1/carts/{cart['id']}/lines", json=line, headers=headers(MOBILE_KEY)
    )
    assert added.status_code == 200, added.text
    handed = await client.post(
        f"/v1/pos/registers/{NYC_REGISTERS[0]}/handoff",
        json={"cart_id": cart["id"]},
        headers=headers(POS_KEY),
    )
    assert handed.status_code == 201, handed.text

    body = {
        "fulfilment": {"type": "ship", "address": SHIP_TO},
        "payment": {"method": "card", "card_number": CARD},
    }
    online = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=body, headers=headers(MOBILE_KEY)
    )
    voided = await client.post(
        f"/v1/pos/sales/{cart['id']}/void", json={}, headers=headers(POS_KEY)
    )
    # The app may be told the cart is at the till or may win the race; either way the till can
    # still close its sale.
    assert online.status_code in (201, 409), online.text
    assert voided.status_code == 200, voided.text
    sale = await client.get(f"/v1/pos/sales/{cart['id']}", headers=headers(POS_KEY))
    assert sale.status_code == 200, sale.text
    assert sale.json()["status"] == "voided"
