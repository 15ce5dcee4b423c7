"""``omniloom scenario``: run scenario files (in-process or against a server), print the schema.

omniloom scenario run scenarios/                    # every example, each on a fresh store
omniloom scenario run FILE --target http://127.0.0.1:8000 --junit junit.xml --json report.json
omniloom scenario schema > scenarios/scenario.schema.json
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

from omniloom.scenarios.access import DEMO_KEYS
from omniloom.scenarios.journey import StepOutcome

# Files in a folder named like this are step files for `include`, not journeys of their own.
INCLUDE_FOLDER = "steps"


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scenario",
        help="replay shopper journeys from scenario files (QA)",
        description="Replay scenario files: shopper journeys across channels, with a verdict.",
    )
    commands = parser.add_subparsers(dest="scenario_command", required=True, metavar="COMMAND")
    _run_options(commands.add_parser("run", help="run scenario files or folders"))
    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(func=_schema)
    actions = commands.add_parser("actions", help="list the actions a step can take")
    actions.set_defaults(func=_actions)
    record = commands.add_parser(
        "record", help="a recording proxy: the calls a client makes become a scenario file"
    )
    record.add_argument("--target", required=True, help="the server's URL")
    record.add_argument("--out", type=Path, required=True, help="the scenario file to write")
    record.add_argument("--port", type=int, default=8001, help="where the proxy listens")
    record.add_argument("--seed", type=int, default=42, help="the server's id seed")
    record.add_argument("--name", default="recorded session", help="the scenario's name")
    record.set_defaults(func=_record)
    # `omniloom replay PATH…` is the same as `omniloom scenario run PATH…`.
    _run_options(subparsers.add_parser("replay", help="replay scenario files (= scenario run)"))


def _run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    run.add_argument(
        "--target",
        help="a running server's URL (default: in-process, a fresh demo store per file)",
    )
    run.add_argument(
        "--reset",
        action="store_true",
        help="with --target: reset the server's store to its seeded state before each file",
    )
    run.add_argument(
        "--database-url",
        help="in-process on this database (PostgreSQL: reset and loaded with the demo store)",
    )
    run.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="CHANNEL=KEY",
        help="API key for a channel (remote runs; also OMNILOOM_KEY_<CHANNEL>)",
    )
    run.add_argument("--shoppers", type=int, default=1, help="run each file once per shopper")
    run.add_argument("-k", dest="select", help="only scenarios whose name or a tag contains this")
    run.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    run.add_argument("--json", type=Path, help="write a JSON report here")
    run.add_argument("--journal", type=Path, help="write the touchpoint journal (JSONL) here")
    run.add_argument(
        "--golden", type=Path, metavar="DIR", help="compare each journal with DIR/<file>.jsonl"
    )
    run.add_argument(
        "--write-golden", type=Path, metavar="DIR", help="write each journal to DIR/<file>.jsonl"
    )
    run.add_argument("--quiet", action="store_true", help="print only failures and the verdict")
    run.set_defaults(func=_run)


def _schema(args: argparse.Namespace) -> int:
    from omniloom.scenarios.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _actions(args: argparse.Namespace) -> int:
    from omniloom.scenarios.actions import ACTIONS

    for name, spec in ACTIONS.items():
        fields = ", ".join(f.name for f in msgspec.structs.fields(spec.args))
        print(f"{name:<24} {spec.summary}" + (f"  [{fields}]" if fields else ""))
    return 0


def _record(args: argparse.Namespace) -> int:
    import httpx
    import uvicorn

    from omniloom.scenarios.record import Recorder

    upstream = httpx.AsyncClient(base_url=args.target, timeout=30.0)
    recorder = Recorder(upstream, out=args.out, name=args.name, seed=args.seed)
    print(f"recording calls to {args.target} via http://127.0.0.1:{args.port} into {args.out}")
    print("point the client at the proxy; Ctrl-C stops")
    uvicorn.run(recorder, host="127.0.0.1", port=args.port, log_level="warning")
    print(f"{len(recorder.steps)} calls recorded in {args.out}")
    return 0


def scenario_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.y*ml"))
                if INCLUDE_FOLDER not in p.relative_to(path).parts[:-1]
            )
        else:
            found.append(path)
    return found


def _keys(args: argparse.Namespace) -> dict[str, str]:
    keys = {
        c: os.environ[f"OMNILOOM_KEY_{c.upper()}"]
        for c in DEMO_KEYS
        if f"OMNILOOM_KEY_{c.upper()}" in os.environ
    }
    for item in args.key:
        channel, _, key = item.partition("=")
        keys[channel.strip()] = key.strip()
    return keys


def _run(args: argparse.Namespace) -> int:
    from omniloom.scenarios.loader import ScenarioError, load

    scenarios = []
    try:
        for path in scenario_files(args.paths):
            scenarios.append(load(path))
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.select:
        scenarios = [
            s
            for s in scenarios
            if args.select in s.name or any(args.select in t for t in s.header.tags)
        ]
    if not scenarios:
        print("no scenario to run", file=sys.stderr)
        return 2
    return asyncio.run(_run_all(args, scenarios))


async def _run_all(args: argparse.Namespace, scenarios: list[Any]) -> int:
    from omniloom.scenarios import reports
    from omniloom.scenarios.runner import RunResult, run_in_process, run_remote

    started = time.perf_counter()
    results: list[RunResult] = []
    for scenario in scenarios:
        print(f"▶ {scenario.name}  ({scenario.path})")
        show = _progress(args.quiet)
        if args.target:
            result = await run_remote(
                scenario,
                args.target,
                keys=_keys(args),
                runs=args.shoppers,
                observer=show,
                reset=args.reset,
            )
        else:
            result = await run_in_process(
                scenario, runs=args.shoppers, observer=show, database_url=args.database_url
            )
        results.append(result)
        _golden(args, result)
        for outcome in result.outcomes:
            if not outcome.passed:
                print(_indent(reports.failure_text(result, outcome)))
        if result.error:
            print(_indent(f"error: {result.error}"))
        verdict = "PASS" if result.passed else "FAIL"
        print(f"  {verdict} {scenario.name}: {len(result.events)} events\n")
    elapsed = time.perf_counter() - started
    passed = sum(r.passed for r in results)
    journeys = sum(len(r.outcomes) for r in results)
    if args.junit:
        args.junit.write_bytes(reports.junit_xml(results, elapsed))
    if args.json:
        args.json.write_bytes(reports.json_report(results, elapsed))
    if args.journal:
        args.journal.write_bytes(b"".join(r.journal for r in results))
    print(
        f"{passed} passed, {len(results) - passed} failed "
        f"({journeys} journeys in {elapsed:.2f} s, {journeys / max(elapsed, 1e-9):.1f} per second)"
    )
    return 0 if passed == len(results) else 1


def _golden(args: argparse.Namespace, result: Any) -> None:
    from omniloom.scenarios.golden import compare, golden_path

    if args.write_golden:
        args.write_golden.mkdir(parents=True, exist_ok=True)
        golden_path(args.write_golden, result.scenario.path).write_bytes(result.journal)
    golden = golden_path(args.golden, result.scenario.path) if args.golden else None
    if golden is not None and not golden.is_file():
        print(f"  (no golden journal {golden}: not compared)")
    elif golden is not None and not result.error:
        difference = compare(result.journal, golden)
        if difference:
            result.error = "the journal differs from its golden journal:\n" + difference


def _progress(quiet: bool) -> Any:
    marks = {"passed": "✓", "failed": "✗", "skipped": "–"}

    def show(step: StepOutcome) -> None:
        if quiet and step.status != "failed":
            return
        status = f" {step.http_status}" if step.http_status else ""
        print(f"  {marks[step.status]} {step.title}{status}  [{step.where}]")

    return show


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
