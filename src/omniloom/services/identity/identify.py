"""Identity: recognise a shopper at any channel by any identifier, and keep their graph.

An identifier (email, phone, loyalty id, social handle, device id) belongs to at most one
customer. Attaching one that already belongs to somebody else is refused with
``identifier_conflict``: two known customers are never merged silently — only an administrator
merges them (``customer_merge``). A customer merged into another still resolves: every lookup
follows ``merged_into`` to the survivor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import FieldError, IdentifierConflict, InvalidInput, NotFound
from omniloom.domain.identity import IdentifierKind, MergeStrategy, normalise
from omniloom.domain.stages import Stage
from omniloom.services.carts.merge import MergeResult, merge_guest_cart
from omniloom.services.insight import stages
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import cart_queries, device_queries, identity_queries

Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
# A chain of merges longer than this is a bug, not data.
MAX_MERGE_HOPS = 16


class CustomerView(msgspec.Struct, frozen=True):
    id: str
    email: str
    phone: str | None
    first_name: str
    last_name: str
    created_at: datetime
    merged_into: str | None = None
    # The journey stage the journal shows (README: Journey stages); a new customer is aware.
    stage: str = Stage.AWARENESS.value


class IdentifierView(msgspec.Struct, frozen=True):
    kind: str
    value: str
    channel: str | None
    added_at: datetime


class IdentityGraph(msgspec.Struct, frozen=True):
    customer_id: str
    identifiers: list[IdentifierView]


class Identify(msgspec.Struct, forbid_unknown_fields=True):
    kind: IdentifierKind
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    customer_id: Ref | None = None
    cart_id: Ref | None = None
    device_id: Ref | None = None
    merge: MergeStrategy = MergeStrategy.SUM


class ShopperDevice(msgspec.Struct, frozen=True):
    """The device a shopper is on, and what the request showed for it.

    A device id is no secret, so by itself it brings no cart along and joins no graph.
    ``proven``: the device's X-Device-Token came along (or staff sent the request); its latest
    anonymous cart started since it registered merges. ``cart_token``: the X-Cart-Token sent,
    which proves the device's latest anonymous cart instead (for a device never registered).
    """

    id: str
    proven: bool = False
    cart_token: str | None = None


class Identified(msgspec.Struct, frozen=True):
    """``status``: ``attached`` (new to the graph), ``known`` (already the customer's),
    ``recognised`` (looked up by staff without naming a customer) or ``claimed`` (a shopper's
    unproven word: recorded, nothing returned, nothing merged)."""

    customer_id: str | None
    kind: str
    value: str
    status: str
    merge: MergeResult | None = None


def customer_view(
    row: dict[str, Any], merged_into: str | None, stage: Stage = Stage.AWARENESS
) -> CustomerView:
    return CustomerView(
        id=row["id"],
        email=row["email"],
        phone=row["phone"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        created_at=row["created_at"],
        merged_into=merged_into,
        stage=stage.value,
    )


def survivor_of(conn: Connection, customer_id: str) -> str:
    """The customer that now stands for ``customer_id`` (itself unless it was merged)."""
    for _ in range(MAX_MERGE_HOPS):
        survivor = identity_queries.merged_into(conn, customer_id)
        if survivor is None:
            return customer_id
        customer_id = survivor
    raise RuntimeError(f"merge chain from {customer_id!r} does not end")


def resolve_identifier(conn: Connection, kind: IdentifierKind, value: str) -> str | None:
    """Who a normalised identifier belongs to, following merges."""
    owner = identity_queries.identifier_owner(conn, kind, value)
    if owner is None and kind is IdentifierKind.EMAIL:
        # Seeded customers carry their email on the profile only.
        owner = identity_queries.customer_with_email(conn, value)
    return None if owner is None else survivor_of(conn, owner)


def attach_device(unit: Unit, customer_id: str, device_id: str) -> None:
    """A device a customer signs in on joins their graph, unless it is somebody else's."""
    try:
        value = normalise(IdentifierKind.DEVICE_ID, device_id, "device_id")
    except InvalidInput:
        return  # not an id this store would store; the sign-in goes ahead without it
    owner = identity_queries.identifier_owner(unit.conn, IdentifierKind.DEVICE_ID, value)
    if owner is None:
        _add(unit, customer_id, IdentifierKind.DEVICE_ID, value)


def _add(unit: Unit, customer_id: str, kind: IdentifierKind, value: str) -> None:
    identity_queries.add_identifier(
        unit.conn,
        kind=kind,
        value=value,
        customer_id=customer_id,
        channel=unit.channel,
        now=unit.now,
    )
    unit.emit("customer.identifier_added", customer_id=customer_id, kind=str(kind))


def merge_shoppers_cart(
    runtime: Runtime,
    unit: Unit,
    customer_id: str,
    cart_id: str | None,
    device: ShopperDevice | None,
    strategy: MergeStrategy,
) -> MergeResult | None:
    """Bring the shopper's anonymous cart (named, or the device's latest) to the customer.

    Callers (sign-in, identify) already hold the customer's lock in this transaction, and
    proved ``cart_id``. A device's cart needs the device's proof (see ``ShopperDevice``);
    without it nothing merges, and the answer is the same whether the device has a cart."""
    if device is not None and device.proven:
        attach_device(unit, customer_id, device.id)
    guest_id = cart_id
    if guest_id is None and device is not None:
        guest_id = _proven_cart_of_device(runtime, unit.conn, device)
    if guest_id is None:
        return None
    return merge_guest_cart(runtime, unit, customer_id, guest_id, strategy)


def _proven_cart_of_device(runtime: Runtime, conn: Connection, device: ShopperDevice) -> str | None:
    found = cart_queries.anonymous_cart_of_device(conn, device.id)
    if found is None:
        return None
    if runtime.proofs.is_cart_token(found, device.cart_token):
        return found
    if not device.proven:
        return None
    registered = device_queries.get(conn, device.id)
    cart = cart_queries.cart(conn, found)
    # Carts started before the id was registered were started by whoever sent the id then:
    # the install holding the token now need not be the one.
    if (
        registered is not None
        and cart is not None
        and cart["created_at"] < registered["registered_at"]
    ):
        return None
    return found


def identify(
    runtime: Runtime, unit: Unit, command: Identify, device: ShopperDevice | None
) -> Identified:
    """Look a shopper up by an identifier, or attach it to the customer named."""
    conn = unit.conn
    value = normalise(command.kind, command.value)
    owner = resolve_identifier(conn, command.kind, value)
    if command.customer_id is None:
        if owner is None:
            raise NotFound(
                f"No customer is known by this {command.kind}.",
                errors=[FieldError("value", "unknown identifier")],
            )
        customer_id, status = owner, "recognised"
        unit.emit("customer.identified", customer_id=customer_id, kind=str(command.kind))
    else:
        customer_id = survivor_of(conn, command.customer_id)
        if not identity_queries.lock_customer(conn, customer_id):
            raise NotFound(f"There is no customer {command.customer_id!r}.")
        if owner is not None and owner != customer_id:
            raise IdentifierConflict(
                f"This {command.kind} belongs to another customer; an administrator can merge "
                "the two customers if they are one person.",
                errors=[FieldError("value", "belongs to another customer")],
                extra={"kind": str(command.kind)},
            )
        status = "known" if owner == customer_id else "attached"
        if owner is None:
            _add(unit, customer_id, command.kind, value)
    merge = merge_shoppers_cart(runtime, unit, customer_id, command.cart_id, device, command.merge)
    return Identified(customer_id, str(command.kind), value, status, merge)


def record_claim(unit: Unit, command: Identify, device_id: str | None) -> Identified:
    """A shopper says who they are, with no proof: note it, and change nobody's data.

    Anyone can type anyone's email, so the answer is the same whether the identifier is known
    or not (no customer id, no cart), no cart merges and the device joins no identity graph.
    The event keeps the claim apart from the customer's own journey (``claimed_customer_id``).
    """
    value = normalise(command.kind, command.value)
    owner = resolve_identifier(unit.conn, command.kind, value)
    unit.emit(
        "customer.identity_claimed",
        claimed_customer_id=owner,
        kind=str(command.kind),
        device_id=command.device_id or device_id,
    )
    return Identified(None, str(command.kind), value, "claimed")


def _load_customer(conn: Connection, customer_id: str) -> CustomerView:
    row = identity_queries.customer(conn, customer_id)
    if row is None:
        raise NotFound(f"There is no customer {customer_id!r}.")
    merged_into = identity_queries.merged_into(conn, customer_id)
    return customer_view(row, merged_into, stages.stage_in(conn, customer_id))


async def get_customer(runtime: Runtime, customer_id: str) -> CustomerView:
    return await runtime.read(lambda conn: _load_customer(conn, customer_id))


async def identity_graph(runtime: Runtime, customer_id: str) -> IdentityGraph:
    def work(conn: Connection) -> IdentityGraph:
        _load_customer(conn, customer_id)
        rows = identity_queries.identifiers_of(conn, customer_id)
        return IdentityGraph(
            customer_id, [IdentifierView(kind, value, ch, at) for kind, value, ch, at in rows]
        )

    return await runtime.read(work)
