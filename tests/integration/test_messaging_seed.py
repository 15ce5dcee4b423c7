"""The demo store comes with its automation flows, ready for the clock to run."""

from __future__ import annotations

import asyncio

from omniloom.seed.generate import generate
from omniloom.seed.load import load
from omniloom.services.messaging.flows import list_flows
from omniloom.store.database import open_database


def test_seeding_installs_the_demo_flows(database_url: str) -> None:
    db = open_database(database_url)
    try:
        db.reset_schema()
        db.run_blocking(lambda conn: load(conn, generate(products=20, customers=5)))
        flows = db.run_blocking(list_flows).items
    finally:
        asyncio.run(db.close())
    assert [flow.id for flow in flows] == ["abandoned-cart", "browse-abandoned", "review-request"]
    cart, browse, review = flows
    assert cart.definition.trigger == "cart_abandoned"
    assert [step.delay_minutes for step in cart.definition.steps] == [240, 1440]
    assert cart.definition.steps[1].code == "COMEBACK10"
    # Browsing without buying: the shopper joins the social retargeting audience.
    assert browse.definition.trigger == "browse_abandoned"
    assert [step.channels for step in browse.definition.steps] == [["social"]]
    # The advocacy stage: a review asked for a few days after a click-and-collect pickup.
    assert review.definition.trigger == "order_picked_up"
    assert [step.delay_minutes for step in review.definition.steps] == [3 * 1440]
