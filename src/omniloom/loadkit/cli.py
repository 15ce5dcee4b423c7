"""`omniloom load verdict`: the verdict after a load, as a table, JSON and JUnit; exit 1 on FAIL."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import msgspec

from omniloom.api.request_log import read_lines
from omniloom.config import Settings
from omniloom.loadkit.files import KitFileError
from omniloom.loadkit.mix import load_mix
from omniloom.loadkit.results import read_tallies
from omniloom.loadkit.shapes import load_shape
from omniloom.loadkit.verdict import Verdict, table, verdict
from omniloom.store.database import open_database


def add_commands(subparsers: Any) -> None:
    load = subparsers.add_parser("load", help="The load-test kit (see loadtests/)")
    commands = load.add_subparsers(dest="load_command", required=True, metavar="COMMAND")
    judge = commands.add_parser(
        "verdict",
        help="PASS or FAIL after a load: the store's invariants, orders, error rate, latency",
    )
    judge.add_argument("--results-dir", default="var/load", help="where the locust run wrote")
    judge.add_argument("--mix", default="loadtests/mix.yaml", help="thresholds come from here")
    judge.add_argument("--shape-file", default=None, help="its thresholds override the mix's")
    judge.add_argument("--database-url", default=None, help="default: OMNILOOM_DATABASE_URL")
    judge.add_argument(
        "--request-log", default=None, metavar="FILE", help="the server's request log, if kept"
    )
    judge.add_argument(
        "--json", default=None, metavar="FILE", help="also write the verdict as JSON"
    )
    judge.add_argument("--junit", default=None, metavar="FILE", help="also write it as JUnit XML")
    judge.set_defaults(func=_verdict)


def _verdict(args: argparse.Namespace) -> int:
    try:
        thresholds = load_mix(args.mix).thresholds
        shape = load_shape(args.shape_file) if args.shape_file else None
        if shape is not None:
            thresholds = thresholds.overridden_by(shape.thresholds)
    except KitFileError as error:
        print(error)
        return 2
    tally = read_tallies(args.results_dir)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    db = open_database(Settings.from_env(**overrides).database_url)
    try:
        log = read_lines(args.request_log) if args.request_log else None
        sale = shape.flash_sale if shape else None
        found = db.run_blocking(lambda conn: verdict(conn, tally, thresholds, log, sale))
    finally:
        asyncio.run(db.close())
    print(table(found))
    if args.json:
        Path(args.json).write_bytes(msgspec.json.format(msgspec.json.encode(found)))
    if args.junit:
        junit(found).write(args.junit, encoding="unicode", xml_declaration=True)
    return 0 if found.ok else 1


def junit(found: Verdict) -> ElementTree.ElementTree:
    failed = sum(not row.ok for row in found.rows)
    suite = ElementTree.Element(
        "testsuite",
        name="omniloom load verdict",
        tests=str(len(found.rows)),
        failures=str(failed),
    )
    for row in found.rows:
        case = ElementTree.SubElement(suite, "testcase", classname="load", name=row.name)
        if not row.ok:
            failure = ElementTree.SubElement(
                case, "failure", message=f"{row.figure}, limit {row.limit}"
            )
            failure.text = row.detail
    return ElementTree.ElementTree(suite)
