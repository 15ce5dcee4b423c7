"""The store's and the back office's actions: returns, the till, stock, the clock, checks."""

from __future__ import annotations

from typing import Any

from omniloom.scenarios.actor import (
    ActionError,
    Actor,
    Plan,
    Request,
    address,
    advance_clock,
    need,
    one,
    parse_duration,
    present,
    query,
    seg,
)

# --- returns --------------------------------------------------------------------------------------


def _return_lines(a: dict[str, Any], order_id: str, actor: Actor) -> list[Any]:
    lines = a.get("lines")
    if lines is not None:
        return list(lines)
    order = actor.orders.get(order_id)
    if order is None:
        raise ActionError(f"name the lines: order {order_id} was not seen in this journey")
    return [{"order_line_id": line["id"], "quantity": line["quantity"]} for line in order["lines"]]


def return_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order_id = need(a.get("order") or actor.order, "order")
    body = present(
        {
            "order_id": order_id,
            "lines": _return_lines(a, order_id, actor),
            "refund_to": a.get("refund_to"),
            "register_id": a.get("register_id"),
        }
    )
    return (yield from one(Request("POST", "/v1/returns", body)))


def return_without_receipt(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("POST", "/v1/returns/without-receipt", a)))


def exchange(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order_id = need(a.get("order") or actor.order, "order")
    body = {
        "order_id": order_id,
        "lines": _return_lines(a, order_id, actor),
        "replacements": a["replacements"],
    }
    return (yield from one(Request("POST", "/v1/returns/exchanges", body)))


# --- the till -------------------------------------------------------------------------------------


def open_shift(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{seg(a.pop('register'))}/shifts"
    return (yield from one(Request("POST", path, a)))


def close_shift(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/shifts/{seg(a.pop('shift'))}/close"
    return (yield from one(Request("POST", path, a)))


def start_sale(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{seg(a.pop('register'))}/sales"
    return (yield from one(Request("POST", path, a)))


def hand_off(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{seg(a.pop('register'))}/handoff"
    return (yield from one(Request("POST", path, a)))


def handoff_code(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = need(a.get("cart") or actor.cart, "cart")
    return (yield from one(Request("POST", "/v1/pos/handoff-codes", {"cart_id": cart})))


def _sale(a: dict[str, Any], actor: Actor) -> str:
    return seg(need(a.pop("sale", None) or actor.sale, "sale (start_sale or hand_off first)"))


def scan(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("POST", f"/v1/pos/sales/{_sale(a, actor)}/scan", a)))


def pay(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    sale = _sale(a, actor)
    tenders = a.get("tenders")
    if tenders is None:
        total = actor.sale_total
        if total is None:
            raise ActionError("no sale total known: give tenders")
        tenders = [{"type": "card", "card_number": "4242424242424242", "amount": total}]
    return (yield from one(Request("POST", f"/v1/pos/sales/{sale}/pay", {"tenders": tenders})))


def ship_to_home(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    sale = _sale(a, actor)
    body = {**a, "address": address(a.get("address"), actor)}
    return (yield from one(Request("POST", f"/v1/pos/sales/{sale}/ship-to-home", body)))


def offline_batch(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{seg(a.pop('register'))}/offline-batches"
    return (yield from one(Request("POST", path, a)))


# --- the back office ------------------------------------------------------------------------------


def transfer_stock(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("POST", "/v1/admin/stock/transfers", a, "admin")))


def adjust_stock(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("POST", "/v1/admin/stock/adjustments", a, "admin")))


def wait(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    try:
        seconds = parse_duration(a["duration"])
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    return (yield from one(advance_clock(seconds)))


def verify(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("GET", "/v1/admin/verify", None, "admin")))


def http(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = query(a["path"], a.get("query") or {})
    request = Request(a["method"].upper(), path, a.get("json"), None, a.get("headers") or {})
    return (yield from one(request))
