"""Cart use cases, shared by every channel: create, read, add, change and remove lines.

Every change bumps the cart's version first. A client that sends the version it last saw
(``If-Match``) gets a conflict instead of silently overwriting another device's change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from omniloom.domain.carts import CartStatus, ReservationPolicy, grown_line
from omniloom.domain.errors import (
    CartNotActive,
    CartNotFound,
    CartVersionConflict,
    FieldError,
    InsufficientStock,
    InvalidInput,
    NotFound,
    NotYourData,
    UnknownSku,
)
from omniloom.domain.money import line_total
from omniloom.services.catalog.cache import CatalogCache
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import CartLineView, CartView
from omniloom.store import cart_queries, identity_queries, raw
from omniloom.store.cart_queries import CartLine

DEFAULT_CURRENCY = "USD"
_CART_TABLES = frozenset({"carts", "cart_lines"})


def cart_view(
    conn: Connection, catalog: CatalogCache, cart: dict[str, Any], lines: list[CartLine]
) -> CartView:
    line_views = []
    for line_id, sku, quantity, product_id, title in lines:
        price = catalog.line_price(conn, sku, quantity, cart["channel"])
        line_views.append(
            CartLineView(
                id=line_id,
                sku=sku,
                product_id=product_id,
                title=title,
                quantity=quantity,
                unit_price=price.unit_price,
                line_total=line_total(price.unit_price, quantity, price.discount),
                discount=price.discount,
                promotion_id=price.promotion_id,
            )
        )
    return CartView(
        id=cart["id"],
        status=cart["status"],
        channel=cart["channel"],
        device_id=cart["device_id"],
        customer_id=cart["customer_id"],
        currency=cart["currency"],
        version=cart["version"],
        lines=line_views,
        item_count=sum(line.quantity for line in line_views),
        subtotal=sum(line.line_total for line in line_views),
        created_at=cart["created_at"],
        updated_at=cart["updated_at"],
    )


def create_cart(
    runtime: Runtime, unit: Unit, *, device_id: str | None, customer_id: str | None
) -> CartView:
    if customer_id is not None and identity_queries.customer(unit.conn, customer_id) is None:
        raise InvalidInput(
            f"There is no customer {customer_id!r}.",
            errors=[FieldError("customer_id", "unknown customer")],
        )
    cart_id = unit.ids.new("cart")
    device_id = device_id or unit.context.device_id
    cart: dict[str, Any] = {
        "id": cart_id,
        "channel": unit.channel,
        "device_id": device_id,
        "customer_id": customer_id,
        "status": CartStatus.ACTIVE.value,
        "currency": DEFAULT_CURRENCY,
        "version": 1,
        "created_at": unit.now,
        "updated_at": unit.now,
    }
    cart_queries.insert_cart(unit.conn, cart)
    unit.emit("cart.created", cart_id=cart_id, customer_id=customer_id, device_id=device_id)
    return changed_cart_view(runtime, unit, cart, [])


async def get_cart(runtime: Runtime, cart_id: str, caller: str | None = None) -> CartView:
    def work(conn: Connection) -> tuple[dict[str, Any], list[CartLine], CartView]:
        cart = cart_queries.cart(conn, cart_id)
        if cart is None:
            raise CartNotFound(f"There is no cart {cart_id!r}.")
        check_owner(cart, caller)
        lines = cart_queries.lines(conn, cart_id)
        return cart, lines, cart_view(conn, runtime.catalog, cart, lines)

    cart, lines, view = await runtime.read(work)
    # A shopper who looks at the cart is about to change it or pay, most often through this
    # process: the change need not read it again.
    runtime.carts_seen.keep(cart, lines)
    return view


async def cart_owner(runtime: Runtime, cart_id: str) -> str | None:
    """The customer a cart belongs to (None for an anonymous cart, or no such cart)."""
    cart = await runtime.read(lambda conn: cart_queries.cart(conn, cart_id))
    return None if cart is None else cart["customer_id"]


def check_owner(cart: dict[str, Any], caller: str | None) -> None:
    """A signed-in customer reaches only their own carts (and anonymous ones)."""
    if caller is not None and cart["customer_id"] not in (None, caller):
        raise NotYourData("This cart belongs to another customer.")


def begin_change(
    unit: Unit,
    cart_id: str,
    expected_version: int | None,
    caller: str | None = None,
    *,
    closing_as: CartStatus | None = None,
) -> dict[str, Any]:
    """Lock and version-bump an active cart, or raise; returns the cart as it now is.

    With ``closing_as`` (checkout) the same statement also closes the cart, one write fewer on
    the busiest path; should the unit fail later, its rollback reopens the cart.
    """
    if closing_as is not None:
        closed = cart_queries.bump_and_close(unit.conn, cart_id, unit.now, closing_as)
        if closed is not None:
            _check_version(closed, expected_version, caller)
            return closed
        # Not an active cart: the plain bump below finds out why and says so.
    cart = cart_queries.bump_version(unit.conn, cart_id, unit.now)
    if cart is None:
        raise CartNotFound(f"There is no cart {cart_id!r}.")
    _check_version(cart, expected_version, caller)
    if cart["status"] != CartStatus.ACTIVE:
        raise CartNotActive(f"The cart is {cart['status']} and can no longer change.")
    return cart


def begin_change_with_lines(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    expected_version: int | None,
    caller: str | None = None,
    *,
    closing_as: CartStatus | None = None,
) -> tuple[dict[str, Any], list[CartLine]]:
    """``begin_change``, and the cart's lines as they were before the change.

    While the PostgreSQL lane holds writes back (raw.may_read_unlocked) the cart and its lines
    are taken as this process last left them (services/carts/seen.py), or else read in one
    statement without a lock, and the version bump is held back as an update on the condition
    that the cart and its lines are still as taken: the cart row is then locked by the unit's
    last statement only, and a cart changed meanwhile (another device, a second checkout)
    makes the unit run again with the lock taken first.
    """
    if raw.may_read_unlocked(unit.conn):
        seen, lines = _cart_as_known(runtime, unit, cart_id)
        if seen is not None and seen["status"] == CartStatus.ACTIVE:
            status = (closing_as or CartStatus.ACTIVE).value
            cart = cart_queries.bump_if_unchanged(unit.conn, seen, lines, unit.now, status)
            _check_version(cart, expected_version, caller)
            return cart, lines
        # No such cart, or not active (a replay of a checkout, often): the locking run says
        # which, as it always did.
        raw.decide_eagerly(unit.conn)
    cart = begin_change(unit, cart_id, expected_version, caller, closing_as=closing_as)
    return cart, cart_queries.lines(unit.conn, cart_id)


def _cart_as_known(
    runtime: Runtime, unit: Unit, cart_id: str
) -> tuple[dict[str, Any] | None, list[CartLine]]:
    # Taken out of memory when used: if it proves stale, the unit's next run reads the cart.
    if cart_id in runtime.carts_seen and raw.may_use_remembered(unit.conn, _CART_TABLES):
        return runtime.carts_seen.take(cart_id)
    return cart_queries.cart_and_lines(unit.conn, cart_id)


def _check_version(cart: dict[str, Any], expected_version: int | None, caller: str | None) -> None:
    check_owner(cart, caller)
    seen = cart["version"] - 1
    if expected_version is not None and seen != expected_version:
        raise CartVersionConflict(
            f"The cart is at version {seen}, not {expected_version}; read it again and retry.",
            extra={"current_version": seen},
        )


def _sellable_title(runtime: Runtime, unit: Unit, sku: str) -> tuple[str, str]:
    """(product id, title) of a SKU sold on the unit's channel, or the reason it is not."""
    product = runtime.catalog.product_of_sku(unit.conn, sku)
    if product is None:
        raise UnknownSku(f"There is no SKU {sku!r}.", errors=[FieldError("sku", "unknown SKU")])
    if not product.sold_on(unit.channel):
        raise UnknownSku(
            f"SKU {sku!r} is not sold on the {unit.channel} channel.",
            errors=[FieldError("sku", f"not sold on {unit.channel}")],
        )
    return product.row["id"], product.sku(sku).title


def _hold_stock(runtime: Runtime, unit: Unit, cart_id: str, sku: str, quantity: int) -> None:
    """Make sure ``quantity`` of ``sku`` can be sold, holding it when the policy says so."""
    locations = runtime.layout.locations_for(unit.channel)
    if runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
        stock.release_cart_holds(unit, cart_id, sku)
        if quantity:
            expires_at = unit.now + runtime.settings.reservation_ttl
            stock.hold_for_cart(unit, cart_id, sku, quantity, locations, expires_at)
        return
    available = dict(runtime.stock_levels.levels(unit.conn, [sku])[sku])
    sellable = sum(available.get(location, 0) for location in locations)
    if quantity > sellable:
        raise InsufficientStock(
            f"Only {sellable} of {sku} can be sold on this channel; {quantity} requested.",
            errors=[FieldError("quantity", f"at most {sellable} available")],
            extra={"sku": sku, "available": sellable},
        )


def add_line(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    *,
    sku: str,
    quantity: int,
    expected_version: int | None,
    caller: str | None = None,
) -> CartView:
    cart, lines = begin_change_with_lines(runtime, unit, cart_id, expected_version, caller)
    product_id, title = _sellable_title(runtime, unit, sku)
    index = next((i for i, line in enumerate(lines) if line.sku == sku), None)
    total = grown_line({line.sku: line.quantity for line in lines}, sku, quantity)
    _hold_stock(runtime, unit, cart_id, sku, total)
    if index is None:
        line_id = unit.ids.new("line")
        cart_queries.insert_line(
            unit.conn, line_id=line_id, cart_id=cart_id, sku=sku, quantity=total, now=unit.now
        )
        lines.append(CartLine(line_id, sku, total, product_id, title))
    else:
        line_id = lines[index][0]
        cart_queries.set_line_quantity(unit.conn, line_id, total)
        lines[index] = CartLine(line_id, sku, total, product_id, title)
    unit.emit(
        "cart.item_added",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        sku=sku,
        quantity=quantity,
    )
    return changed_cart_view(runtime, unit, cart, lines)


def change_line(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    line_id: str,
    *,
    quantity: int,
    expected_version: int | None,
    caller: str | None = None,
) -> CartView:
    cart, lines = begin_change_with_lines(runtime, unit, cart_id, expected_version, caller)
    index = _line_index(lines, cart_id, line_id)
    _, sku, previous, product_id, title = lines[index]
    _hold_stock(runtime, unit, cart_id, sku, quantity)
    cart_queries.set_line_quantity(unit.conn, line_id, quantity)
    lines[index] = CartLine(line_id, sku, quantity, product_id, title)
    unit.emit(
        "cart.item_changed",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        sku=sku,
        quantity=quantity,
        previous_quantity=previous,
    )
    return changed_cart_view(runtime, unit, cart, lines)


def remove_line(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    line_id: str,
    *,
    expected_version: int | None,
    caller: str | None = None,
) -> CartView:
    cart, lines = begin_change_with_lines(runtime, unit, cart_id, expected_version, caller)
    _, sku, quantity, _, _ = lines.pop(_line_index(lines, cart_id, line_id))
    if runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
        stock.release_cart_holds(unit, cart_id, sku)
    cart_queries.delete_line(unit.conn, line_id)
    unit.emit(
        "cart.item_removed",
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        sku=sku,
        quantity=quantity,
    )
    return changed_cart_view(runtime, unit, cart, lines)


def changed_cart_view(
    runtime: Runtime, unit: Unit, cart: dict[str, Any], lines: list[CartLine]
) -> CartView:
    """The cart as the unit leaves it, remembered by this process once the unit commits."""
    unit.after_commit(lambda: runtime.carts_seen.keep(cart, lines))
    return cart_view(unit.conn, runtime.catalog, cart, lines)


def _line_index(lines: list[CartLine], cart_id: str, line_id: str) -> int:
    for index, line in enumerate(lines):
        if line.id == line_id:
            return index
    raise NotFound(f"Cart {cart_id!r} has no line {line_id!r}.")
