"""What the event log keeps about the people behind its touchpoints: the rules, in one place.

Every unit of work hands its buffered events to :func:`record` once, when its work is done and
inside its transaction. The rules apply in this order:

0. **Tracking consent** (:mod:`omniloom.services.kernel.tracking`). Behaviour of a shopper or
   device that refused tracking never reaches the log; business records stay, without the device.
1. **Visit.** A device's touchpoints carry its current session; a session ends after
   ``SESSION_IDLE`` without a touch, on the simulated clock. Resolved here, once per unit, so
   that emitting an event stays a plain append to the unit's buffer.
2. **Consent snapshot.** Each touchpoint keeps what its customer had agreed to at that moment,
   so a later change of mind never rewrites history.
3. **Device stitching.** A device seen with a known customer makes its earlier anonymous
   touchpoints theirs.

A rule deciding whether a touchpoint is kept at all goes beside the tracking rule, before the
visit is resolved, so a dropped touchpoint never opens a session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from omniloom.services.kernel import tracking
from omniloom.services.kernel.context import SESSION_IDLE
from omniloom.store import customer_data_queries, event_log, session_queries
from omniloom.store.rows import EventRow

if TYPE_CHECKING:
    from omniloom.services.kernel.unit import Unit


def record(unit: Unit) -> None:
    """Append the unit's buffered events to the log under the rules above."""
    conn, device_id = unit.conn, unit.context.device_id
    events = tracking.tracked(conn, unit.events)
    visiting = [event for event in events if event["device_id"] is not None]
    if visiting and device_id is not None:
        session_id = visit(unit, device_id)
        for event in visiting:
            event["session_id"] = session_id
    snapshot_consent(conn, events)
    event_log.append(conn, events)
    stitch_devices(conn, events)


def visit(unit: Unit, device_id: str) -> str:
    """The device's current session, or a new one after ``SESSION_IDLE`` without a touch."""
    current = session_queries.current(unit.conn, device_id)
    if current is not None and unit.now - current[1] <= SESSION_IDLE:
        session_queries.seen(unit.conn, device_id, unit.now)
        return current[0]
    session_id = unit.ids.new("ses")
    session_queries.start(unit.conn, device_id, session_id, unit.now, known=current is not None)
    return session_id


def snapshot_consent(conn: Connection, events: list[EventRow]) -> None:
    """Stamp each touchpoint with its customer's consents as they stand now (None if none)."""
    snapshots: dict[str, dict[str, bool]] = {}
    for event in events:
        customer_id = event["customer_id"]
        if customer_id is not None:
            if customer_id not in snapshots:
                snapshots[customer_id] = customer_data_queries.consents(conn, customer_id)
            event["consent"] = snapshots[customer_id] or None


def stitch_devices(conn: Connection, events: list[EventRow]) -> None:
    """Give each device's earlier anonymous touchpoints to the customer it was seen with."""
    stitched = {
        (event["device_id"], event["customer_id"])
        for event in events
        if event["device_id"] is not None and event["customer_id"] is not None
    }
    for device_id, customer_id in stitched:
        event_log.stitch(conn, device_id, customer_id)
