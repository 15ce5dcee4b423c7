"""Consent per messaging channel, tracking refusals, and the shopper's messaging preferences."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from omniloom.store import raw
from omniloom.store.tables import (
    carts,
    customers,
    devices,
    events,
    messaging_consents,
    messaging_preferences,
    tracking_refusals,
)

_REFUSED = select(tracking_refusals.c.subject).where(
    tracking_refusals.c.subject.in_(bindparam("subjects", expanding=True))
)
_REFUSED_ONE = select(tracking_refusals.c.subject).where(
    tracking_refusals.c.subject == bindparam("subject")
)


def consents(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    stmt = select(messaging_consents).where(messaging_consents.c.customer_id == customer_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def consent_state(conn: Connection, customer_id: str, channel: str) -> str | None:
    stmt = select(messaging_consents.c.state).where(
        messaging_consents.c.customer_id == customer_id, messaging_consents.c.channel == channel
    )
    state: str | None = conn.execute(stmt).scalar()
    return state


def set_consent(
    conn: Connection, customer_id: str, channel: str, state: str, source: str, now: datetime
) -> None:
    values = {"state": state, "source": source, "given_at": now}
    changed = conn.execute(
        update(messaging_consents)
        .where(
            messaging_consents.c.customer_id == customer_id,
            messaging_consents.c.channel == channel,
        )
        .values(**values)
    ).rowcount
    if not changed:
        conn.execute(
            insert(messaging_consents).values(customer_id=customer_id, channel=channel, **values)
        )


def timezone(conn: Connection, customer_id: str) -> str | None:
    stmt = select(messaging_preferences.c.timezone).where(
        messaging_preferences.c.customer_id == customer_id
    )
    found: str | None = conn.execute(stmt).scalar()
    return found


def set_timezone(conn: Connection, customer_id: str, zone: str) -> None:
    table = messaging_preferences
    if not conn.execute(
        update(table).where(table.c.customer_id == customer_id).values(timezone=zone)
    ).rowcount:
        conn.execute(insert(table).values(customer_id=customer_id, timezone=zone))


def devices_of(conn: Connection, customer_id: str) -> list[str]:
    """Every device the customer was seen on (their carts and their touchpoints)."""
    seen = select(events.c.device_id).where(
        events.c.customer_id == customer_id, events.c.device_id.is_not(None)
    )
    carted = select(carts.c.device_id).where(
        carts.c.customer_id == customer_id, carts.c.device_id.is_not(None)
    )
    return sorted({row[0] for row in conn.execute(seen.union(carted))})


def refuse_tracking(conn: Connection, customer_id: str, subjects: Iterable[str]) -> None:
    wanted = set(subjects)
    if not wanted:
        return
    stmt = select(tracking_refusals.c.subject).where(tracking_refusals.c.subject.in_(wanted))
    known = {row[0] for row in conn.execute(stmt)}
    fresh = [{"subject": s, "customer_id": customer_id} for s in sorted(wanted - known)]
    if fresh:
        conn.execute(insert(tracking_refusals), fresh)


def allow_tracking(conn: Connection, customer_id: str) -> None:
    conn.execute(delete(tracking_refusals).where(tracking_refusals.c.customer_id == customer_id))


def untracked(conn: Connection, subjects: list[str]) -> set[str]:
    """Which of these customers and devices refused tracking (on every write: the lean lane)."""
    if len(subjects) == 1:
        found = raw.first(conn, _REFUSED_ONE, {"subject": subjects[0]})
        return set() if found is None else {subjects[0]}
    return {row[0] for row in conn.execute(_REFUSED, {"subjects": subjects})}


def contact(conn: Connection, customer_id: str) -> dict[str, Any] | None:
    """Where a customer can be reached: email, phone, and their devices that have a push token
    (the token itself stays in the devices table: it is the device's secret)."""
    stmt = select(customers.c.email, customers.c.phone).where(customers.c.id == customer_id)
    row = conn.execute(stmt).first()
    if row is None:
        return None
    device_ids = devices_of(conn, customer_id)
    pushable = (
        [
            r[0]
            for r in conn.execute(
                select(devices.c.id)
                .where(devices.c.id.in_(device_ids), devices.c.push_token.is_not(None))
                .order_by(devices.c.updated_at.desc())
            )
        ]
        if device_ids
        else []
    )
    return {"email": row[0], "phone": row[1], "push_devices": pushable, "devices": device_ids}
