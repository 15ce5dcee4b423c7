"""``omniloom attribution`` and ``omniloom report``: attribution from a path file.

Both read a ChannelAttribution path file (``path;total_conversions;total_conversion_value;
total_null``) and run every model that needs no timestamps. A file that cannot be read is reported
on stderr with its line number and exit code 2, like a usage error.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from omniloom.analytics.kpis import path_kpis
from omniloom.analytics.models import Attribution, path_models
from omniloom.analytics.models.markov import MAX_ORDER
from omniloom.analytics.pathfile import PathFileError, read_path_file
from omniloom.analytics.paths import PathRow
from omniloom.analytics.report import render_report

EXIT_BAD_INPUT = 2
CSV_HEADER = ("model", "channel", "conversions", "value")


class AttributionOutput(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON shape of ``omniloom attribution --format json``."""

    source: str
    rows: int
    total_conversions: float
    total_value: float
    models: list[Attribution]


def add_commands(subparsers: Any) -> None:
    """Register analytics sub-commands on the top-level parser."""
    attribution = subparsers.add_parser(
        "attribution",
        help="attribute conversions to channels from a path file, by every path model",
        description="Run first touch, last touch, linear, position-based, Markov (exact removal "
        "effect) and Shapley attribution on a ChannelAttribution-style path file.",
    )
    _add_input_options(attribution)
    attribution.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table for people; csv is tidy (model,channel,conversions,value); json has details",
    )
    attribution.set_defaults(func=run_attribution)

    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report (flows, KPIs, attribution) from a path file",
    )
    _add_input_options(report)
    report.add_argument("--out", required=True, type=Path, metavar="FILE", help="HTML to write")
    report.add_argument("--title", default="omniloom — journeys and attribution")
    report.set_defaults(func=run_report)


def run_attribution(args: argparse.Namespace) -> int:
    rows = _load(args.paths)
    if rows is None:
        return EXIT_BAD_INPUT
    results = [model(rows) for model in path_models(markov_order=args.markov_order)]
    match args.format:
        case "csv":
            _write_csv(results)
        case "json":
            output = AttributionOutput(
                source=str(args.paths),
                rows=len(rows),
                total_conversions=results[0].total_conversions,
                total_value=results[0].total_value,
                models=results,
            )
            sys.stdout.write(msgspec.json.format(msgspec.json.encode(output)).decode() + "\n")
        case _:
            sys.stdout.write(format_tables(results, source=str(args.paths), rows=len(rows)))
    return 0


def run_report(args: argparse.Namespace) -> int:
    rows = _load(args.paths)
    if rows is None:
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    results = [model(rows) for model in path_models(markov_order=args.markov_order)]
    html = render_report(results, path_kpis(rows), title=args.title, source=str(args.paths))
    args.out.write_text(html, encoding="utf-8")
    elapsed = time.perf_counter() - started
    sys.stdout.write(f"wrote {args.out} ({len(rows):,} path rows, {elapsed:.2f} s)\n")
    return 0


def format_tables(results: Sequence[Attribution], *, source: str, rows: int) -> str:
    """Conversions and value credited per channel, one column per model, with totals."""
    if not results:
        return ""
    channels = list(results[0].conversions)
    first = results[0]
    lines = [
        f"{source}: {rows:,} path rows, {first.total_conversions:,.2f} conversions, "
        f"value {first.total_value:,.2f}",
    ]
    name_w = max([len("channel"), *(len(ch) for ch in channels)])
    col_w = max(14, *(len(r.model) for r in results))
    for caption, field in (("conversions", "conversions"), ("conversion value", "value")):
        lines.append("")
        lines.append(f"Credited {caption}")
        lines.append("channel".ljust(name_w) + "".join(r.model.rjust(col_w + 2) for r in results))
        for channel in channels:
            cells = "".join(
                f"{getattr(r, field).get(channel, 0.0):,.2f}".rjust(col_w + 2) for r in results
            )
            lines.append(channel.ljust(name_w) + cells)
        totals = "".join(
            f"{sum(getattr(r, field).values()):,.2f}".rjust(col_w + 2) for r in results
        )
        lines.append("total".ljust(name_w) + totals)
    lines.append("")
    lines.extend(f"{r.model}: {r.method}" for r in results if r.method)
    return "\n".join(lines) + "\n"


def _write_csv(results: Sequence[Attribution]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for result in results:
        for channel, conversions in result.conversions.items():
            writer.writerow((result.model, channel, repr(conversions), repr(result.value[channel])))


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--paths",
        required=True,
        type=Path,
        metavar="FILE",
        help="path file: path;total_conversions;total_conversion_value;total_null",
    )
    parser.add_argument(
        "--markov-order",
        type=int,
        default=1,
        choices=range(1, MAX_ORDER + 1),
        metavar="N",
        help=f"order of the Markov chain, 1 to {MAX_ORDER} (default 1)",
    )


def _load(file: Path) -> list[PathRow] | None:
    try:
        return read_path_file(file)
    except PathFileError as exc:
        sys.stderr.write(f"omniloom: {exc}\n")
    except OSError as exc:
        sys.stderr.write(f"omniloom: cannot read {file}: {exc.strerror or exc}\n")
    return None
