"""A customer's journey stage, read from their journal (the rule: omniloom.domain.stages)."""

from __future__ import annotations

from sqlalchemy import Connection

from omniloom.domain.channels import SELLING_CHANNELS
from omniloom.domain.stages import Stage, stage_of
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import stage_queries

# The same doors the KPIs count: what the back office does to an order is not the shopper's.
SHOPPER_CHANNELS = tuple(channel.value for channel in SELLING_CHANNELS)


def stage_in(conn: Connection, customer_id: str) -> Stage:
    return stage_of(stage_queries.event_kinds(conn, customer_id, SHOPPER_CHANNELS))


async def current_stage(runtime: Runtime, customer_id: str) -> Stage:
    return await runtime.read(lambda conn: stage_in(conn, customer_id))
