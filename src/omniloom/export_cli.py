"""`omniloom export touchpoints`: the journal as JSON Lines or CSV, with progress on stderr."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import time
from pathlib import Path
from typing import IO, Any

import msgspec

from omniloom.cli_support import existing_store
from omniloom.config import Settings

COLUMNS = (
    "seq",
    "id",
    "occurred_at",
    "type",
    "channel",
    "device_id",
    "session_id",
    "customer_id",
    "product_id",
    "sku",
    "cart_id",
    "order_id",
    "location_id",
    "value",
    "campaign",
    "consent",
    "data",
)


def add_commands(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export",
        help="Export the store's records",
        description="Export the store's records; `export touchpoints --help` for the journal.",
    )
    what = export.add_subparsers(dest="what", required=True, metavar="WHAT")
    journal = what.add_parser("touchpoints", help="Every touchpoint, oldest first")
    journal.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    journal.add_argument("--out", type=Path, default=None, help="file to write (default stdout)")
    journal.add_argument("--database-url", default=None, help="the store's database")
    journal.set_defaults(func=_export_touchpoints)


def _export_touchpoints(args: argparse.Namespace) -> int:
    from omniloom.services.insight.touchpoints import export_rows

    overrides = {"database_url": args.database_url} if args.database_url else {}
    db = existing_store(Settings.from_env(**overrides).database_url)
    try:
        out: IO[str] = args.out.open("w", newline="") if args.out else sys.stdout
    except OSError:
        asyncio.run(db.close())
        raise
    started = time.monotonic()
    try:
        write = _jsonl_writer(out) if args.format == "jsonl" else _csv_writer(out)
        written = db.run_blocking(lambda conn: _copy(export_rows(conn), write))
    finally:
        if args.out:
            out.close()
        asyncio.run(db.close())
    elapsed = time.monotonic() - started
    print(f"exported {written:,} touchpoints in {elapsed:.1f} s", file=sys.stderr)
    return 0


def _copy(pages: Any, write: Any) -> int:
    written = 0
    for page in pages:
        for row in page:
            write(row)
        written += len(page)
        print(f"  {written:,} touchpoints…", file=sys.stderr, flush=True)
    return written


def _jsonl_writer(out: IO[str]) -> Any:
    encoder = msgspec.json.Encoder()

    def write(row: dict[str, Any]) -> None:
        out.write(encoder.encode({column: row[column] for column in COLUMNS}).decode())
        out.write("\n")

    return write


def _csv_writer(out: IO[str]) -> Any:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    nested = {"campaign", "consent", "data"}

    def write(row: dict[str, Any]) -> None:
        writer.writerow(
            [
                msgspec.json.encode(row[c]).decode()
                if c in nested and row[c] is not None
                else row[c].isoformat()
                if c == "occurred_at"
                else row[c]
                for c in COLUMNS
            ]
        )

    return write
