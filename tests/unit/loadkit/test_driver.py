"""Driving a sans-IO journey: expectations become request failures, acknowledged orders are
noted, a server error ends the journey."""

from __future__ import annotations

from omniloom.loadkit.driver import drive
from omniloom.loadkit.protocol import ExpectationFailed, HttpCall, HttpReply, Journey, SoftFailure


class Recorded:
    def __init__(self) -> None:
        self.outcome = "none"

    def success(self) -> None:
        self.outcome = "ok"

    def failure(self, message: str) -> None:
        self.outcome = f"failed: {message}"


def transport(replies: list[HttpReply], seen: list[tuple[str, str]]):
    def send(call: HttpCall, judge) -> None:
        outcome = Recorded()
        judge(replies.pop(0), outcome)
        seen.append((call.name or call.path, outcome.outcome))

    return send


def shop() -> Journey:
    reply = yield HttpCall("GET", "/v1/products", {}, name="list")
    assert reply is not None
    if reply.status != 200:
        yield SoftFailure("the catalog was slow to answer")
    reply = yield HttpCall("POST", "/v1/carts/c/checkout", {}, name="checkout")
    assert reply is not None
    if reply.status != 201:
        raise ExpectationFailed(f"checkout answered {reply.status}")
    yield HttpCall("GET", "/v1/orders/x", {}, name="order")


def test_a_journey_that_goes_as_expected_notes_its_order() -> None:
    seen: list[tuple[str, str]] = []
    orders: list[str] = []
    replies = [HttpReply(200, {}), HttpReply(201, {}, {"id": "ord_1"}), HttpReply(200, {})]
    assert drive(shop(), transport(replies, seen), orders.append)
    assert seen == [("list", "ok"), ("checkout", "ok"), ("order", "ok")]
    assert orders == ["ord_1"]


def test_a_soft_failure_fails_its_request_and_the_journey_goes_on() -> None:
    seen: list[tuple[str, str]] = []
    replies = [HttpReply(404, {}), HttpReply(201, {}, {"id": "ord_1"}), HttpReply(200, {})]
    assert drive(shop(), transport(replies, seen), lambda _: None)
    assert seen[0] == ("list", "failed: the catalog was slow to answer")
    assert [outcome for _, outcome in seen[1:]] == ["ok", "ok"]


def test_a_hard_failure_fails_its_request_and_ends_the_journey() -> None:
    seen: list[tuple[str, str]] = []
    replies = [HttpReply(200, {}), HttpReply(409, {}, {"code": "insufficient_stock"})]
    assert not drive(shop(), transport(replies, seen), lambda _: None)
    assert seen == [("list", "ok"), ("checkout", "failed: checkout answered 409")]


def test_a_server_error_ends_the_journey_naming_the_problem() -> None:
    seen: list[tuple[str, str]] = []
    replies = [HttpReply(500, {}, {"code": "internal_error"})]
    assert not drive(shop(), transport(replies, seen), lambda _: None)
    assert seen == [("list", "failed: 500: internal_error")]
