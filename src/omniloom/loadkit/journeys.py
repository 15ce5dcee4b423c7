"""The kit's own journeys, as sans-IO generators (see protocol.py): a shopper browsing the app,
checking out on the web or in social, and a sale at a till. Each follows the access contract:
it remembers the cart, order and customer tokens it is given and sends them back.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import Any

from omniloom.loadkit.protocol import ExpectationFailed, HttpCall, HttpReply, Journey, SoftFailure
from omniloom.loadkit.shapes import FlashSale
from omniloom.loadkit.shoppers import Shopper

APPROVED_CARD = "4242424242424242"
# Tokens the store hands out, and the header each goes back in.
_TOKENS = {"cart_token": "X-Cart-Token", "order_token": "X-Order-Token"}

Step = Generator[HttpCall | SoftFailure, HttpReply | None, HttpReply]
# A step that answers the register it chose.
TillStep = Generator[HttpCall | SoftFailure, HttpReply | None, dict[str, Any]]


class Visit:
    """One shopper's (or associate's) visit: the keys and tokens every call of it carries."""

    def __init__(
        self,
        shopper: Shopper,
        key: str,
        rng: random.Random,
        device_id: str,
        web_key: str,
        flash_sale: FlashSale | None = None,
    ) -> None:
        self.flash_sale = flash_sale
        self.cart_path = ""  # the cart this visit works on, once it has one
        self.shopper = shopper
        self.key = key
        self.web_key = web_key
        self.rng = rng
        self.headers = {"X-Device-Id": device_id}

    def call(
        self, method: str, path: str, name: str, body: Any = None, key: str | None = None
    ) -> HttpCall:
        headers = {"X-API-Key": key or self.key, **self.headers}
        return HttpCall(method, path, headers, body, name)

    def remember(self, reply: HttpReply) -> None:
        if not isinstance(reply.json, dict):
            return
        for field, header in _TOKENS.items():
            if isinstance(reply.json.get(field), str):
                self.headers[header] = reply.json[field]
        if isinstance(reply.json.get("token"), str) and "customer_id" in reply.json:
            self.headers["X-Customer-Token"] = reply.json["token"]


def ask(visit: Visit, call: HttpCall, *expected: int) -> Step:
    """Make `call`; a status outside `expected` is a hard failure of this journey."""
    reply = yield call
    assert reply is not None
    if reply.status not in expected:
        code = reply.json.get("code") if isinstance(reply.json, dict) else None
        raise ExpectationFailed(
            f"{call.name}: expected {list(expected)}, got {reply.status} {code}"
        )
    visit.remember(reply)
    return reply


def sign_up(visit: Visit) -> Step:
    """Register the shopper and sign in, so what follows is theirs in the journal."""
    shopper = visit.shopper
    body = {
        "email": shopper.email,
        "password": shopper.password,
        "first_name": shopper.first_name,
        "last_name": shopper.last_name,
    }
    yield from ask(visit, visit.call("POST", "/v1/customers", "register", body), 201)
    credentials = {"email": shopper.email, "password": shopper.password}
    return (yield from ask(visit, visit.call("POST", "/v1/sessions", "sign in", credentials), 201))


def pick_product(visit: Visit, key: str | None = None) -> Step:
    listing = yield from ask(
        visit, visit.call("GET", "/v1/products?limit=50", "list products", key=key), 200
    )
    product = visit.rng.choice(listing.json["items"])
    return (
        yield from ask(
            visit, visit.call("GET", f"/v1/products/{product['id']}", "product", key=key), 200
        )
    )


def in_stock(product: dict[str, Any], rng: random.Random, location: str | None = None) -> Any:
    """A SKU of the product with a unit available (at `location`, when given), or None."""

    def available(sku: dict[str, Any]) -> int:
        if location is None:
            return int(sku["available"])
        return sum(s["available"] for s in sku["stock"] if s["location_id"] == location)

    candidates = [sku for sku in product["skus"] if available(sku) > 0]
    return rng.choice(candidates) if candidates else None


def cart_with(visit: Visit, sku: str, body: dict[str, Any], *accepted: int) -> Step:
    """A new cart with one unit of `sku`; answers the add-to-cart reply (its status among
    200 and `accepted`), with the cart's path in `visit.cart_path`."""
    reply = yield from ask(visit, visit.call("POST", "/v1/carts", "create cart", body), 201)
    visit.cart_path = f"/v1/carts/{reply.json['id']}"
    line = {"sku": sku, "quantity": 1}
    path = f"{visit.cart_path}/lines"
    return (yield from ask(visit, visit.call("POST", path, "add to cart", line), 200, *accepted))


def pay_by_card(visit: Visit, fulfilment: dict[str, Any], **extra: Any) -> Step:
    """Check the cart out; someone else may have bought the last unit meanwhile (409), and the
    store saying so is right, not an error."""
    body = {"fulfilment": fulfilment, "payment": {"method": "card", "card_number": APPROVED_CARD}}
    call = visit.call("POST", f"{visit.cart_path}/checkout", "checkout", {**body, **extra})
    return (yield from ask(visit, call, 201, 409))


def browse(visit: Visit) -> Journey:
    """App browsing: a few product pages, sign up, a cart left behind (an abandoned cart)."""
    for _ in range(visit.rng.randint(1, 3)):
        yield from pick_product(visit)
    session = yield from sign_up(visit)
    product = yield from pick_product(visit)
    sku = in_stock(product.json, visit.rng)
    if sku is not None:
        yield from cart_with(visit, sku["sku"], {"customer_id": session.json["customer_id"]})


def checkout(visit: Visit) -> Journey:
    """Sign up, find something in stock, and buy it shipped home."""
    session = yield from sign_up(visit)
    product = yield from pick_product(visit)
    sku = in_stock(product.json, visit.rng)
    if sku is None:
        return
    yield from cart_with(visit, sku["sku"], {"customer_id": session.json["customer_id"]})
    yield from pay_by_card(visit, {"type": "ship", "address": visit.shopper.address})


def open_till(visit: Visit) -> TillStep:
    """A register of the store, with a shift open on it (another user may open it first: 409)."""
    registers = yield from ask(visit, visit.call("GET", "/v1/pos/registers", "registers"), 200)
    register: dict[str, Any] = visit.rng.choice(registers.json)
    if register["open_shift_id"] is None:
        shift = {"associate_id": "emp_load", "opening_float": 10_000}
        path = f"/v1/pos/registers/{register['id']}/shifts"
        yield from ask(visit, visit.call("POST", path, "open shift", shift), 201, 409)
    return register


def ring_up(visit: Visit, register: dict[str, Any], barcode: str) -> Step:
    """Start a sale, scan one unit, pay by card; sold out (409 at the scan or at paying): the
    associate voids the sale."""
    path = f"/v1/pos/registers/{register['id']}/sales"
    sale = yield from ask(visit, visit.call("POST", path, "start sale", {}), 201)
    sale_path = f"/v1/pos/sales/{sale.json['cart_id']}"
    scan = {"barcode": barcode, "quantity": 1}
    rung = yield from ask(visit, visit.call("POST", f"{sale_path}/scan", "scan", scan), 200, 409)
    if rung.status == 200:
        tender = {"type": "card", "card_number": APPROVED_CARD, "amount": rung.json["total"]}
        pay = visit.call("POST", f"{sale_path}/pay", "pay", {"tenders": [tender]})
        paid = yield from ask(visit, pay, 200, 201, 409)
        if paid.status != 409:
            return paid
    return (yield from ask(visit, visit.call("POST", f"{sale_path}/void", "void sale", {}), 200))


def store_sale(visit: Visit) -> Journey:
    """A till at the store rings up an item its shelf has."""
    register = yield from open_till(visit)
    product = yield from pick_product(visit, key=visit.web_key)
    sku = in_stock(product.json, visit.rng, register["location_id"])
    if sku is not None:
        yield from ring_up(visit, register, sku["barcode"])


def flash_sale(visit: Visit) -> Journey:
    """A storefront shopper races for the flash-sale unit, picking it up at the store."""
    sale = visit.flash_sale
    assert sale is not None, "the flash_sale journey runs with a shape that has a flash_sale"
    yield from ask(visit, visit.call("GET", f"/v1/products/{sale.product}", "product"), 200)
    # Sold out before it reached the cart (409) is the race lost, not an error.
    added = yield from cart_with(visit, sale.sku, {}, 409)
    if added.status == 200:
        pickup = {"type": "pickup", "location_id": sale.location}
        yield from pay_by_card(visit, pickup, email=visit.shopper.email)


def flash_sale_at_till(visit: Visit) -> Journey:
    """A shopper in the store races for the same units at the till."""
    sale = visit.flash_sale
    assert sale is not None, "the flash_sale journey runs with a shape that has a flash_sale"
    path = f"/v1/products/{sale.product}"
    product = yield from ask(visit, visit.call("GET", path, "product", key=visit.web_key), 200)
    barcode = next(s["barcode"] for s in product.json["skus"] if s["sku"] == sale.sku)
    register = yield from open_till(visit)
    yield from ring_up(visit, register, barcode)


def hello(visit: Visit) -> Journey:
    """The framework's floor (GET /hello): measures the load generator's own ceiling."""
    yield visit.call("GET", "/hello", "hello")


JOURNEYS: dict[str, Callable[[Visit], Journey]] = {
    "flash_sale": flash_sale,
    "flash_sale_at_till": flash_sale_at_till,
    "hello": hello,
    "browse": browse,
    "checkout": checkout,
    "store_sale": store_sale,
}
