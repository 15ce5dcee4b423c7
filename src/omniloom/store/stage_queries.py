"""What a customer's journal holds, as little as a journey stage needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from omniloom.store.tables import events


def event_kinds(
    conn: Connection, customer_id: str, channels: Sequence[str]
) -> list[tuple[str, str | None]]:
    """The distinct (event type, order id) pairs of the customer's events on ``channels``."""
    stmt = (
        select(events.c.type, events.c.order_id)
        .where(events.c.customer_id == customer_id, events.c.channel.in_(list(channels)))
        .distinct()
    )
    return [(str(kind), order_id) for kind, order_id in conn.execute(stmt)]
