"""The journey executor without any server: a scripted transport answers its HttpCalls.

This is how the load kit drives it, so these pin the sans-IO contract: what is yielded, which
headers go with it, how retries advance the simulated clock, and hard versus soft failures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omniloom.scenarios.journey import drive, journey
from omniloom.scenarios.loader import load
from omniloom.scenarios.protocol import HttpCall, HttpReply

CART = {"id": "cart_1", "cart_token": "ct_secret", "lines": [], "item_count": 0, "version": 1}


def _scenario(tmp_path: Path, steps: str) -> Any:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\nshoppers:\n  - name: ann\n    persona: {channels: [mobile]}\nsteps:\n" + steps
    )
    return load(path)


class Script:
    """Answers calls in order and keeps them for the assertions."""

    def __init__(self, *replies: HttpReply) -> None:
        self.replies, self.calls = list(replies), []  # type: ignore[var-annotated]

    def __call__(self, call: HttpCall) -> HttpReply:
        self.calls.append(call)
        return self.replies.pop(0)


def test_tokens_from_answers_go_out_with_later_calls(tmp_path: Path) -> None:
    steps = "  - create_cart: {}\n    device: phone\n  - add_line: {sku: SKU-1}\n"
    script = Script(HttpReply(201, {}, CART), HttpReply(200, {}, {**CART, "item_count": 1}))
    outcome = drive(journey(_scenario(tmp_path, steps)), script)
    assert outcome.passed
    create, add = script.calls
    assert (create.method, create.path, create.name) == ("POST", "/v1/carts", "create_cart")
    assert create.headers["X-API-Key"] == "olk_mobile_demo" and "X-Device-Id" in create.headers
    assert add.path == "/v1/carts/cart_1/lines" and add.headers["X-Cart-Token"] == "ct_secret"


def test_retry_advances_the_simulated_clock_until_the_condition_holds(tmp_path: Path) -> None:
    steps = (
        "  - view_order: ord_1\n"
        "    retry: {until: \"body.status == 'cancelled'\", interval: 1d, timeout: 5d}\n"
    )
    paid, cancelled = (
        HttpReply(200, {}, {"status": "paid"}),
        HttpReply(200, {}, {"status": "cancelled"}),
    )
    clock = HttpReply(200, {}, {"now": "later"})
    script = Script(paid, clock, paid, clock, cancelled)
    outcome = drive(journey(_scenario(tmp_path, steps)), script)
    assert outcome.passed
    advances = [c for c in script.calls if c.path == "/v1/admin/clock/advance"]
    assert [c.json for c in advances] == [{"seconds": 86_400}] * 2
    assert advances[0].headers["X-API-Key"] == "olk_admin_demo"


def test_a_hard_failure_stops_the_journey_and_a_soft_one_does_not(tmp_path: Path) -> None:
    steps = (
        "  - view_order: ord_1\n    soft: true\n    expect: {body: {status: paid}}\n"
        "  - view_order: ord_1\n    expect: {status: 200}\n"
        "  - verify: {}\n"
    )
    script = Script(
        HttpReply(200, {}, {"status": "placed"}), HttpReply(404, {}, {"code": "order_not_found"})
    )
    outcome = drive(journey(_scenario(tmp_path, steps)), script)
    soft, hard = outcome.failures
    assert soft.soft and "expected body.status == 'paid', got 'placed'" in soft.message
    assert (
        not hard.soft
        and hard.where.endswith("s.yaml:9")
        and "got 404 order_not_found" in hard.message
    )
    assert len(script.calls) == 2  # verify never ran
