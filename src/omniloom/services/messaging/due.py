"""Messaging's share of the clock's due work: automation steps, and webhook fan-out."""

from __future__ import annotations

from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging import automation, webhook_delivery


def fire(runtime: Runtime, unit: Unit) -> None:
    automation.run_due(runtime, unit)
    # Last, so deliveries include what the flows just sent.
    webhook_delivery.fan_out(unit)
