"""An administrator merges two customers who turned out to be one person.

Survivorship rules (documented in the API too):

* the survivor keeps its own profile fields (name, email, phone) and its password; it takes the
  merged customer's password only if it has none;
* the survivor gains every identifier of the merged customer — its profile email and phone
  included — so a lookup by any of them now finds the survivor;
* the survivor gains the merged customer's orders and carts; the merged customer's active cart
  is merged into the survivor's by summing quantities (or simply becomes the survivor's);
* the merged customer's sign-in tokens are revoked, and the customer is marked ``merged_into``
  the survivor; its row stays, for the record.
"""

from __future__ import annotations

import msgspec

from omniloom.domain.carts import CartStatus
from omniloom.domain.errors import CustomerAlreadyMerged, FieldError, InvalidInput, NotFound
from omniloom.domain.identity import IdentifierKind, MergeStrategy, normalise
from omniloom.services.carts.merge import MergeReport, merge_cart_into
from omniloom.services.identity.identify import CustomerView, Ref, customer_view
from omniloom.services.insight import stages
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import cart_queries, identity_queries


class MergeCustomers(msgspec.Struct, forbid_unknown_fields=True):
    survivor: Ref
    merged: Ref


class CustomersMerged(msgspec.Struct, frozen=True):
    survivor: CustomerView
    merged_id: str
    identifiers_moved: int
    orders_moved: list[str]
    carts_moved: int
    cart: MergeReport | None


def merge_customers(runtime: Runtime, unit: Unit, command: MergeCustomers) -> CustomersMerged:
    conn = unit.conn
    survivor_id, merged_id = command.survivor, command.merged
    if survivor_id == merged_id:
        raise InvalidInput(
            "A customer cannot be merged into itself.",
            errors=[FieldError("merged", "same as survivor")],
        )
    # Both rows locked, lower id first, so two opposite merges cannot deadlock.
    for customer_id in sorted((survivor_id, merged_id)):
        if not identity_queries.lock_customer(conn, customer_id):
            raise NotFound(f"There is no customer {customer_id!r}.")
    for customer_id in (survivor_id, merged_id):
        into = identity_queries.merged_into(conn, customer_id)
        if into is not None:
            raise CustomerAlreadyMerged(
                f"Customer {customer_id!r} was already merged into {into!r}.",
                extra={"customer_id": customer_id, "merged_into": into},
            )
    survivor = identity_queries.customer(conn, survivor_id)
    merged = identity_queries.customer(conn, merged_id)
    assert survivor is not None and merged is not None
    _graph_profile(unit, merged)

    cart_report = None
    cart_id = cart_queries.active_cart_of_customer(conn, merged_id)
    if cart_id is not None:
        source = cart_queries.bump_version(conn, cart_id, unit.now)
        if source is not None and source["status"] == CartStatus.ACTIVE:
            cart_report = merge_cart_into(
                runtime, unit, source, survivor_id, MergeStrategy.SUM
            ).report

    moved_identifiers = identity_queries.move_identifiers(conn, merged_id, survivor_id)
    moved_orders = identity_queries.move_orders(conn, merged_id, survivor_id)
    moved_carts = cart_queries.move_carts(conn, merged_id, survivor_id)
    if identity_queries.credentials_of(conn, survivor_id) is None:
        identity_queries.move_credentials(conn, merged_id, survivor_id)
    else:
        identity_queries.delete_credentials(conn, merged_id)
    identity_queries.delete_tokens_of(conn, merged_id)
    identity_queries.record_merge(conn, merged_id, survivor_id, unit.now)
    unit.emit(
        "customer.merged",
        customer_id=survivor_id,
        merged_id=merged_id,
        identifiers_moved=moved_identifiers,
        orders_moved=moved_orders,
        carts_moved=moved_carts,
    )
    return CustomersMerged(
        customer_view(survivor, None, stages.stage_in(conn, survivor_id)),
        merged_id,
        moved_identifiers,
        moved_orders,
        moved_carts,
        cart_report,
    )


def _graph_profile(unit: Unit, customer: dict[str, object]) -> None:
    """Put a profile's email and phone in the graph (seeded customers have them only there)."""
    profile = ((IdentifierKind.EMAIL, customer["email"]), (IdentifierKind.PHONE, customer["phone"]))
    for kind, raw_value in profile:
        if not isinstance(raw_value, str):
            continue
        try:
            value = normalise(kind, raw_value)
        except InvalidInput:
            continue  # a seeded value this store would not accept today stays on the profile
        if identity_queries.identifier_owner(unit.conn, kind, value) is None:
            identity_queries.add_identifier(
                unit.conn,
                kind=kind,
                value=value,
                customer_id=str(customer["id"]),
                channel=unit.channel,
                now=unit.now,
            )
