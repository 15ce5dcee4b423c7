"""An anonymous cart joins the customer's cart when the shopper signs in or is identified.

All of it happens inside the caller's unit of work, so the merge is atomic: the customer's cart
moves to its next version, its lines become the merge of both carts (``domain.identity``), the
guest cart is marked ``merged``, and under the add-to-cart reservation policy the stock holds
follow the lines. Locks are always taken in one order — the customer row, then the guest cart,
then the customer's cart — so two sign-ins racing with the same guest cart run one after the
other; the second finds the guest cart already merged and leaves it alone.
"""

from __future__ import annotations

from typing import Any

import msgspec

from omniloom.domain.carts import MAX_CART_LINES, CartStatus, ReservationPolicy
from omniloom.domain.errors import CartFull, CartNotFound, InsufficientStock, NotYourData
from omniloom.domain.identity import MergedLine, MergeStrategy, merge_lines
from omniloom.services.carts.cart import cart_view
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import CartView
from omniloom.store import cart_queries, event_log, identity_queries, inventory_queries
from omniloom.store.cart_queries import CartLine


class MergeReport(msgspec.Struct, frozen=True):
    """What became of the anonymous cart.

    ``outcome``: ``merged`` (lines combined into the customer's cart), ``adopted`` (the customer
    had no active cart, so the guest cart became theirs), or ``skipped`` (nothing to do; see
    ``reason``). ``unheld`` lists SKUs whose expired holds could not be taken again because the
    stock is gone: their lines stay, as a line whose hold expired does, and checkout decides.
    """

    outcome: str
    guest_cart_id: str
    cart_id: str | None
    strategy: str
    reason: str | None = None
    unheld: list[str] = []


class MergeResult(msgspec.Struct, frozen=True):
    cart: CartView | None
    report: MergeReport


def merge_guest_cart(
    runtime: Runtime, unit: Unit, customer_id: str, guest_cart_id: str, strategy: MergeStrategy
) -> MergeResult:
    """Merge ``guest_cart_id`` into the customer's active cart (or hand it to them)."""
    identity_queries.lock_customer(unit.conn, customer_id)
    guest = cart_queries.bump_version(unit.conn, guest_cart_id, unit.now)
    if guest is None:
        raise CartNotFound(f"There is no cart {guest_cart_id!r}.")
    owner = guest["customer_id"]
    if owner is not None and owner != customer_id:
        raise NotYourData(f"Cart {guest_cart_id!r} belongs to another customer.")
    if guest["status"] != CartStatus.ACTIVE or owner == customer_id:
        # A racing sign-in merged it first, or it is already this customer's cart.
        reason = "already yours" if owner == customer_id else f"guest cart is {guest['status']}"
        target_id = cart_queries.active_cart_of_customer(unit.conn, customer_id)
        report = MergeReport("skipped", guest_cart_id, target_id, strategy, reason=reason)
        return MergeResult(_view(runtime, unit, target_id), report)
    return merge_cart_into(runtime, unit, guest, customer_id, strategy)


def merge_cart_into(
    runtime: Runtime,
    unit: Unit,
    source: dict[str, Any],
    customer_id: str,
    strategy: MergeStrategy,
) -> MergeResult:
    """Merge a locked, active ``source`` cart into ``customer_id``'s active cart."""
    source_id = source["id"]
    found = cart_queries.active_cart_of_customer(unit.conn, customer_id)
    target = None
    if found is not None and found != source_id:
        target = cart_queries.bump_version(unit.conn, found, unit.now)
    if target is None or target["status"] != CartStatus.ACTIVE:
        return _adopt(runtime, unit, source, customer_id, strategy)
    target_id = target["id"]
    target_lines: list[CartLine] = cart_queries.lines(unit.conn, target_id)
    source_lines: list[CartLine] = cart_queries.lines(unit.conn, source_id)
    plan = merge_lines(
        {line.sku: line.quantity for line in target_lines},
        {line.sku: line.quantity for line in source_lines},
        strategy,
    )
    if len(plan) > MAX_CART_LINES:
        raise CartFull(
            f"Merged, the carts would hold {len(plan)} lines; a cart holds {MAX_CART_LINES}."
        )
    unheld = _move_holds(runtime, unit, source_id, target_id, plan)
    _write_lines(unit, target_id, target_lines, plan)
    # Read back, so the view lists the lines in the order every later read will.
    lines = cart_queries.lines(unit.conn, target_id)
    cart_queries.set_status(unit.conn, source_id, CartStatus.MERGED)
    unit.emit(
        "cart.merged",
        cart_id=target_id,
        customer_id=customer_id,
        guest_cart_id=source_id,
        strategy=str(strategy),
        lines=[{"sku": line.sku, "quantity": line.quantity} for line in lines],
    )
    _stitch_device(unit, source, customer_id)
    report = MergeReport("merged", source_id, target_id, strategy, unheld=unheld)
    return MergeResult(cart_view(unit.conn, runtime.catalog, target, lines), report)


def _adopt(
    runtime: Runtime,
    unit: Unit,
    source: dict[str, Any],
    customer_id: str,
    strategy: MergeStrategy,
) -> MergeResult:
    cart_queries.set_customer(unit.conn, source["id"], customer_id)
    unit.emit("cart.claimed", cart_id=source["id"], customer_id=customer_id)
    _stitch_device(unit, source, customer_id)
    cart = {**source, "customer_id": customer_id}
    lines = cart_queries.lines(unit.conn, source["id"])
    report = MergeReport("adopted", source["id"], source["id"], strategy)
    return MergeResult(cart_view(unit.conn, runtime.catalog, cart, lines), report)


def _stitch_device(unit: Unit, source: dict[str, Any], customer_id: str) -> None:
    """The device the guest cart was started on was this shopper's: so are its touchpoints."""
    if source["device_id"] is not None:
        event_log.stitch(unit.conn, source["device_id"], customer_id)


def _move_holds(
    runtime: Runtime, unit: Unit, source_id: str, target_id: str, plan: list[MergedLine]
) -> list[str]:
    """Make the target cart hold exactly its merged quantities; the source cart holds nothing.

    Holds are kept (and handed to the target) while they fit the merged quantity, the winning
    side's first; the rest are released. What is still missing — holds that expired — is taken
    again. Returns the SKUs whose missing units were not in stock.
    """
    holds = inventory_queries.reservations_for_cart(unit.conn, target_id)
    holds += inventory_queries.reservations_for_cart(unit.conn, source_id)
    if not holds and runtime.reservation_policy is not ReservationPolicy.ADD_TO_CART:
        return []
    expires_at = unit.now + runtime.settings.reservation_ttl
    unheld: list[str] = []
    for line in plan:
        # Under guest_wins the guest's hold is the one that fits, so it goes first.
        prefer_guest = line.quantity == line.guest_quantity != line.customer_quantity
        mine = [hold for hold in holds if hold.sku == line.sku]
        mine.sort(key=lambda hold: (hold.cart_id == source_id) != prefer_guest)
        kept = 0
        for hold in mine:
            if kept + hold.quantity <= line.quantity:
                kept += hold.quantity
                identity_queries.move_hold(unit.conn, hold.id, target_id, expires_at)
                if hold.cart_id != target_id:
                    unit.emit(
                        "inventory.hold_moved",
                        cart_id=target_id,
                        from_cart_id=hold.cart_id,
                        sku=hold.sku,
                        location_id=hold.location_id,
                        quantity=hold.quantity,
                    )
            else:
                _release(unit, hold)
        missing = line.quantity - kept
        if missing and runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
            locations = runtime.layout.locations_for(unit.channel)
            try:
                stock.hold_for_cart(unit, target_id, line.sku, missing, locations, expires_at)
            except InsufficientStock:
                # Nothing was written (the conditional reserve refused). Failing the sign-in
                # over it would be worse than a line without its hold.
                unheld.append(line.sku)
    return unheld


def _release(unit: Unit, hold: inventory_queries.Hold) -> None:
    ref = inventory_queries.Ref(unit.now, cart_id=hold.cart_id)
    inventory_queries.release(unit.conn, hold.sku, hold.location_id, hold.quantity, ref)
    inventory_queries.delete_reservations(unit.conn, [hold.id])
    unit.emit(
        "inventory.released",
        cart_id=hold.cart_id,
        sku=hold.sku,
        location_id=hold.location_id,
        quantity=hold.quantity,
    )


def _write_lines(
    unit: Unit, target_id: str, target_lines: list[CartLine], plan: list[MergedLine]
) -> None:
    """Bring the target's lines to the plan (guest lines stay on the merged cart, for history)."""
    existing = {line.sku: line for line in target_lines}
    for merged in plan:
        current = existing.get(merged.sku)
        if current is None:
            cart_queries.insert_line(
                unit.conn,
                line_id=unit.ids.new("line"),
                cart_id=target_id,
                sku=merged.sku,
                quantity=merged.quantity,
                now=unit.now,
            )
        elif merged.quantity != current[2]:
            cart_queries.set_line_quantity(unit.conn, current[0], merged.quantity)


def _view(runtime: Runtime, unit: Unit, cart_id: str | None) -> CartView | None:
    if cart_id is None:
        return None
    cart = cart_queries.cart(unit.conn, cart_id)
    if cart is None:
        return None
    return cart_view(unit.conn, runtime.catalog, cart, cart_queries.lines(unit.conn, cart_id))
