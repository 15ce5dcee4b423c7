"""``omniloom seed``: reset a database and fill it with the demo store, or export the data set.

By default the committed data set in the repository's ``seed/`` directory is loaded when the
requested parameters match its manifest (reading files beats generating); any other parameters
are generated on the spot.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omniloom.progress import Progress
from omniloom.seed.model import SeedData, SeedParams

# Stages with at least this many rows report as they go; smaller ones finish too fast to matter.
PROGRESS_THRESHOLD = 20_000


def add_commands(subparsers: Any) -> None:
    """Register ``seed`` on the top-level ``omniloom`` parser."""
    defaults = SeedParams()
    parser = subparsers.add_parser(
        "seed",
        help="reset the database and load the demo store (or export it as files)",
        description=(
            "Reset the schema of the configured database and load the demo store: catalog, "
            "locations, stock, customers and the demo API keys. With --export the data set is "
            "written as CSV/JSON files instead (add --load to do both)."
        ),
    )
    parser.add_argument(
        "--database-url",
        help="database to reset and load (default: $OMNILOOM_DATABASE_URL or sqlite:///var/omniloom.db)",
    )
    parser.add_argument("--seed", type=int, help=f"generator seed (default {defaults.seed})")
    parser.add_argument(
        "--products", type=_positive, help=f"number of products (default {defaults.products})"
    )
    parser.add_argument(
        "--customers",
        type=_non_negative,
        help=f"number of customers (default {defaults.customers})",
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="DIR",
        help="load a data set exported earlier instead of generating one",
    )
    parser.add_argument(
        "--export", type=Path, metavar="DIR", help="write the data set as files into DIR"
    )
    parser.add_argument(
        "--load", action="store_true", help="with --export: also load it into the database"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    asked = {
        name: value
        for name in ("seed", "products", "customers")
        if (value := getattr(args, name)) is not None
    }
    if args.source is not None and asked:
        return _fail("--from takes its parameters from the files' manifest; drop " + _flags(asked))
    report = Progress(quiet=args.quiet, min_total=PROGRESS_THRESHOLD)
    try:
        with _no_cyclic_gc():
            data, origin = _obtain(args, SeedParams(**asked), report)
            done = []
            if args.export is not None:
                from omniloom.seed.files import write_dir

                write_dir(data, args.export)
                done.append(f"exported to {args.export}")
            if args.export is None or args.load:
                done.append(f"loaded into {_load(args.database_url, data, report, args.source)}")
    except _SeedError as exc:
        return _fail(str(exc), code=exc.code)
    finally:
        report.close()
    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(
            f"seed: {_describe(data.counts())} ({origin}), {' and '.join(done)}, in {elapsed:.1f} s"
        )
    return 0


class _SeedError(Exception):
    """A failure worth one line on stderr rather than a traceback: 2 for a file given that
    cannot be read (as for any bad argument), 1 for a load that failed."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _obtain(args: argparse.Namespace, params: SeedParams, report: Progress) -> tuple[SeedData, str]:
    """The data set to use and where it came from: given files, the committed set, or fresh."""
    from omniloom.seed.source import data_set

    if params.products >= PROGRESS_THRESHOLD and args.source is None:
        report.note(f"generating {params.products:,} products from seed {params.seed}")
    try:
        # Exports always generate: copying the committed files could never reveal a drift.
        return data_set(params, args.source, fresh=args.export is not None, progress=report)
    except (OSError, ValueError) as exc:
        raise _SeedError(str(exc), code=2) from exc


def _load(url: str | None, data: SeedData, report: Progress, source: Path | None) -> str:
    """Reset the database's schema and load ``data``; returns the URL, password hidden."""
    from sqlalchemy import Connection
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from omniloom.config import Settings
    from omniloom.seed import source as origin
    from omniloom.seed.load import load
    from omniloom.store.database import open_database

    url = url or Settings.from_env().database_url
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        database = open_database(url)
    except (ValueError, SQLAlchemyError) as exc:
        raise _SeedError(f"cannot open {url!r}: {exc}") from exc
    try:
        database.reset_schema()
        if len(data.stock) >= PROGRESS_THRESHOLD:
            report.note(f"loading into {shown} (one transaction)")

        def fill(conn: Connection) -> None:
            load(conn, data, report)
            # The store notes what it was loaded with, so POST /v1/admin/reset loads it again.
            origin.record(conn, data, source)

        database.run_blocking(fill)
    except (OSError, SQLAlchemyError) as exc:
        raise _SeedError(f"loading into {shown} failed: {exc}") from exc
    finally:
        asyncio.run(database.close())
    return shown


def _describe(counts: dict[str, int]) -> str:
    labels = {"skus": "SKUs", "inventory": "stock levels", "channel_locations": "channel locations"}
    return ", ".join(f"{count:,} {labels.get(name, name)}" for name, count in counts.items())


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # A large catalog is millions of freshly allocated objects that live until the command
    # ends; the cyclic collector would rescan them again and again for garbage there is none of.
    # This is the CLI process, so pausing it here affects nobody else.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fail(message: str, code: int = 2) -> int:
    """Report on stderr; 2 for a bad command line (as argparse does), 1 for a failed run."""
    print(f"omniloom seed: error: {message}", file=sys.stderr)
    return code


def _flags(asked: dict[str, int]) -> str:
    return ", ".join(f"--{name}" for name in asked)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value
