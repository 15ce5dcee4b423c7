"""Tracking consent, enforced where events are written: a refusing shopper leaves no behaviour.

Business records (orders, payments, stock, returns) are kept whatever the shopper agreed to, but
without the device they came from; behavioural touchpoints (views, searches, cart edits,
sign-ins, clicks) of a customer or device that refused tracking are dropped before they reach
the event log, so nothing can stitch them into a journey later.
"""

from __future__ import annotations

from sqlalchemy import Connection

from omniloom.domain.messaging import is_behavioural
from omniloom.store import messaging_queries
from omniloom.store.rows import EventRow


def tracked(conn: Connection, events: list[EventRow]) -> list[EventRow]:
    """The events to record: all of them, less the behaviour of those who refused tracking."""
    # A plain loop: this runs on every write, and most carry neither (anonymous carts, stock).
    subjects: set[str] = set()
    for event in events:
        if event["customer_id"] is not None:
            subjects.add(event["customer_id"])
        if event["device_id"] is not None:
            subjects.add(event["device_id"])
    if not subjects:
        return events
    refused = messaging_queries.untracked(conn, sorted(subjects))
    if not refused:
        return events
    kept: list[EventRow] = []
    for event in events:
        customer_id, device_id = event["customer_id"], event["device_id"]
        if customer_id in refused and device_id is not None and device_id not in refused:
            # A new phone of a shopper who refused: its anonymous browsing is theirs too.
            messaging_queries.refuse_tracking(conn, customer_id, [device_id])
            refused.add(device_id)
        if customer_id not in refused and device_id not in refused:
            kept.append(event)
        elif not is_behavioural(event["type"]):
            kept.append({**event, "device_id": None, "session_id": None, "campaign": None})
    return kept
