"""Webhook subscriptions: an endpoint URL, the event types it wants, its signing secret."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.domain.webhooks import secret_text, url_problem, valid_event_pattern
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.commands import NewEndpoint
from omniloom.store import webhook_queries

# How long the secret a rotation replaced still signs deliveries, beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)


class EndpointView(msgspec.Struct, frozen=True):
    id: str
    url: str
    event_types: list[str]
    description: str | None
    # Verify deliveries with it (Standard Webhooks: ``whsec_`` and the base64 key).
    secret: str
    enabled: bool
    created_at: datetime


class EndpointList(msgspec.Struct, frozen=True):
    items: list[EndpointView]


def _view(row: dict[str, Any]) -> EndpointView:
    return EndpointView(
        row["id"],
        row["url"],
        list(row["event_types"]),
        row["description"],
        row["secret"],
        bool(row["enabled"]),
        row["created_at"],
    )


def _checked(command: NewEndpoint) -> None:
    wrong = url_problem(command.url)
    if wrong is not None:
        raise InvalidInput(f"The webhook URL {wrong}.", errors=[FieldError("url", wrong)])
    for index, pattern in enumerate(command.event_types):
        if not valid_event_pattern(pattern):
            raise InvalidInput(
                f"{pattern!r} is not an event type (order.placed), a prefix (order.*) or *.",
                errors=[FieldError(f"event_types[{index}]", "not an event type pattern")],
            )


def subscribe(unit: Unit, command: NewEndpoint) -> EndpointView:
    """A new endpoint receives the events written from now on."""
    _checked(command)
    last = webhook_queries.last_seq(unit.conn)
    row = {
        "id": unit.ids.new("whe"),
        "url": command.url,
        "event_types": list(command.event_types),
        "description": command.description,
        "secret": secret_text(secrets.token_bytes(24)),
        "previous_secret": None,
        "previous_until": None,
        "enabled": True,
        "created_at": unit.now,
        "start_seq": last,
        "after_seq": last,
    }
    webhook_queries.insert_endpoint(unit.conn, row)
    return _view(row)


def _found(conn: Connection, endpoint_id: str) -> dict[str, Any]:
    row = webhook_queries.endpoint(conn, endpoint_id)
    if row is None:
        raise NotFound(f"There is no webhook endpoint {endpoint_id!r}.")
    return row


def get_endpoint(conn: Connection, endpoint_id: str) -> EndpointView:
    return _view(_found(conn, endpoint_id))


def list_endpoints(conn: Connection) -> EndpointList:
    return EndpointList([_view(row) for row in webhook_queries.endpoints(conn)])


def set_enabled(unit: Unit, endpoint_id: str, enabled: bool) -> EndpointView:
    _found(unit.conn, endpoint_id)
    webhook_queries.change_endpoint(unit.conn, endpoint_id, enabled=enabled)
    return get_endpoint(unit.conn, endpoint_id)


def rotate_secret(unit: Unit, endpoint_id: str) -> EndpointView:
    """A new secret; the old one keeps signing beside it for a day, so receivers can switch."""
    row = _found(unit.conn, endpoint_id)
    webhook_queries.change_endpoint(
        unit.conn,
        endpoint_id,
        secret=secret_text(secrets.token_bytes(24)),
        previous_secret=row["secret"],
        previous_until=unit.now + ROTATION_OVERLAP,
    )
    return get_endpoint(unit.conn, endpoint_id)


def signing_secrets(row: dict[str, Any], now: datetime) -> list[str]:
    keys = [row["secret"]]
    if row["previous_secret"] and row["previous_until"] and now < row["previous_until"]:
        keys.append(row["previous_secret"])
    return keys
