"""``omniloom flows load FILE``: define or change automation flows from a YAML (or JSON) file.

The file maps flow ids to flows, each written as ``PUT /v1/admin/flows/{flow_id}`` takes it.
Every flow is validated before any is written, and they are written in one transaction: a
mistake anywhere (named as ``flow-id.steps[0].delay_minutes``) changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import msgspec

from omniloom.cli_support import EXIT_USAGE, CliError, existing_store
from omniloom.config import Settings


def add_commands(subparsers: Any) -> None:
    flows = subparsers.add_parser("flows", help="automation flows: load them from a file")
    what = flows.add_subparsers(dest="flows_command", required=True, metavar="COMMAND")
    load = what.add_parser(
        "load",
        help="define or change the flows a YAML or JSON file holds (all of them, or none)",
    )
    load.add_argument("file", metavar="FILE", help="flows file: flow id → flow, YAML or JSON")
    load.add_argument(
        "--database-url",
        help="store to write to (default: $OMNILOOM_DATABASE_URL or sqlite:///var/omniloom.db)",
    )
    load.set_defaults(func=run_load)


def run_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from omniloom.api.problems import field_error_from_msgspec
    from omniloom.domain.errors import InvalidInput
    from omniloom.domain.flows import FlowDefinition, step_delays_problem
    from omniloom.services.messaging.flow_files import definition, read_flows_file

    path = Path(args.file)
    try:
        found = read_flows_file(path)
    except InvalidInput as exc:
        raise CliError(f"{path}: {exc}", EXIT_USAGE) from exc
    flows: dict[str, FlowDefinition] = {}
    problems: list[str] = []
    for flow_id, values in found.items():
        try:
            flows[flow_id] = flow = definition(values)
        except msgspec.ValidationError as exc:
            error = field_error_from_msgspec(str(exc), flow_id)
            problems.append(f"{error['field']}: {error['message']}")
            continue
        wrong = step_delays_problem(flow)
        if wrong is not None:
            problems.append(f"{flow_id}.{wrong}: earlier than the step before")
    if problems:
        raise CliError(f"{path}: " + "; ".join(problems) + "; nothing was loaded", EXIT_USAGE)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = Settings.from_env(**overrides)
    db = existing_store(settings.database_url)
    try:
        lines = db.run_blocking(lambda conn: _load(conn, flows, settings))
    except InvalidInput as exc:
        raise CliError(f"{path}: {exc}; nothing was loaded", EXIT_USAGE) from exc
    finally:
        asyncio.run(db.close())
    print("\n".join(lines))
    return 0


def _load(conn: Any, flows: dict[str, Any], settings: Settings) -> list[str]:
    from omniloom.services.messaging.flows import store_checked
    from omniloom.store import clock_queries

    state = clock_queries.load(conn)
    # The store's simulated time when a server has run on it, else where its clock starts.
    now = settings.clock_start if state is None else state.at(time.time())
    lines = []
    for flow_id, flow in flows.items():
        store_checked(conn, flow_id, flow, now)
        steps = len(flow.steps)
        state_word = "enabled" if flow.enabled else "disabled"
        lines.append(f"{flow_id}: {flow.trigger.value}, {steps} step(s), {state_word}")
    return lines
