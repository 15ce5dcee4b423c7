"""Running the flows when the clock moves: enrol who entered each flow, then work every step
that fell due.

Each step re-checks the world before it sends (:mod:`run_checks`), because events arrive late
and out of order and shoppers buy on several carts and in stores: a run whose exit condition
has happened ends, its step recorded as suppressed with the reason (``converted``,
``added_to_cart``, ``returned`` …); a shopper active again is waited for again; quiet hours push
the step to the morning in the shopper's zone; a frequency cap records the step as suppressed,
``capped``. A run moves one step at a time with a conditional update, so two clock ticks racing
each other send a step once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from omniloom.domain.flows import FlowDefinition, FlowStep, due_at, message_body, quiet_until
from omniloom.domain.messaging import MessagingChannel, SuppressReason
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.consent import DEFAULT_TIMEZONE
from omniloom.services.messaging.flows import definition_of
from omniloom.services.messaging.outbox import Outcome, SendMessage, record, route
from omniloom.services.messaging.run_checks import Exit, Wait, product_of, recheck
from omniloom.services.messaging.run_enrol import BATCH, enrol
from omniloom.store import flow_queries, messaging_queries, outbox_queries


def run_due(runtime: Runtime, unit: Unit) -> None:
    """The clock's due-work hook: enrol newcomers in each flow, then work the due steps."""
    flows = {row["id"]: row for row in flow_queries.flows(unit.conn)}
    for row in flows.values():
        if row["enabled"]:
            enrol(unit, row, definition_of(row))
    for run in flow_queries.due_runs(unit.conn, unit.now, BATCH):
        flow = flows.get(run["flow_id"])
        if flow is None or not flow["enabled"]:
            _end(unit, run, "exited", "flow_disabled")
        else:
            _work(runtime, unit, run, flow["id"], definition_of(flow))


def _end(unit: Unit, run: dict[str, Any], status: str, reason: str | None) -> None:
    flow_queries.move_run(
        unit.conn,
        run["id"],
        run["step"],
        status=status,
        exit_reason=reason,
        due_at=None,
        updated_at=unit.now,
    )


def _suppress(
    unit: Unit, run: dict[str, Any], command: SendMessage, reason: SuppressReason
) -> None:
    record(
        unit, command, Outcome(command.channel, None, reason), flow_run_id=run["id"], reason=reason
    )


def _work(
    runtime: Runtime, unit: Unit, run: dict[str, Any], flow_id: str, flow: FlowDefinition
) -> None:
    conn, step_no = unit.conn, run["step"]
    step = flow.steps[step_no]
    command = SendMessage(
        customer_id=run["customer_id"],
        channel=step.channels[0],
        body=message_body(step),
        kind=flow.trigger.value,
        campaign=flow.campaign or flow_id,
        subject=step.subject,
        cart_id=run["cart_id"],
    )
    verdict = recheck(runtime, conn, run, flow)
    if isinstance(verdict, Exit):
        if verdict.suppressed is not None:
            _suppress(unit, run, command, verdict.suppressed)
        return _end(unit, run, verdict.status, verdict.reason)
    if isinstance(verdict, Wait):
        # The shopper came back: the step counts from their latest activity.
        flow_queries.move_run(
            conn,
            run["id"],
            step_no,
            last_activity_at=verdict.activity_at,
            due_at=due_at(verdict.activity_at, step),
            updated_at=unit.now,
        )
        return None
    zone = messaging_queries.timezone(conn, run["customer_id"]) or DEFAULT_TIMEZONE
    morning = quiet_until(flow.quiet_hours, zone, unit.now)
    if morning is not None:
        flow_queries.move_run(conn, run["id"], step_no, due_at=morning, updated_at=unit.now)
        return None
    cap = flow.frequency_cap
    if cap is not None and (
        outbox_queries.sent_since(conn, run["customer_id"], unit.now - timedelta(hours=cap.hours))
        >= cap.messages
    ):
        _suppress(unit, run, command, SuppressReason.CAPPED)
    else:
        shown = msgspec.structs.replace(command, product_id=product_of(conn, run, flow.trigger))
        _send_through_chain(unit, run, shown, step)
    return _next_step(unit, run, flow)


def _send_through_chain(
    unit: Unit, run: dict[str, Any], command: SendMessage, step: FlowStep
) -> None:
    """The first channel with consent and an address carries the message; every channel
    passed over is recorded as suppressed with its reason."""
    first: MessagingChannel = step.channels[0]
    for channel in step.channels:
        outcome = route(unit.conn, run["customer_id"], channel)
        attempt = msgspec.structs.replace(command, channel=channel)
        if outcome.reason is None:
            if channel is not first and outcome.fallback_from is None:
                outcome = Outcome(outcome.channel, outcome.recipient, None, first)
            record(unit, attempt, outcome, flow_run_id=run["id"])
            return
        record(unit, attempt, outcome, flow_run_id=run["id"])


def _next_step(unit: Unit, run: dict[str, Any], flow: FlowDefinition) -> None:
    following = run["step"] + 1
    if following >= len(flow.steps):
        flow_queries.move_run(
            unit.conn,
            run["id"],
            run["step"],
            status="completed",
            due_at=None,
            updated_at=unit.now,
        )
        return
    flow_queries.move_run(
        unit.conn,
        run["id"],
        run["step"],
        step=following,
        due_at=due_at(run["last_activity_at"], flow.steps[following]),
        updated_at=unit.now,
    )
