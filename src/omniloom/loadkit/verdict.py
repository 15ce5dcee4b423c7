"""The verdict after a load: was the store still right, and did the run stay within its limits?

It reuses `omniloom verify` for the store's invariants (no oversell, the stock ledger balanced,
every paid order paid), compares the orders the clients were told were placed with the orders
in the store, and holds the clients' error rate and latency percentiles (from each request's
intended start) against the thresholds of the mix and shape files.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection

from omniloom.api.request_log import RequestLine
from omniloom.loadkit import store_probe
from omniloom.loadkit.results import Tally, percentile
from omniloom.loadkit.shapes import FlashSale
from omniloom.loadkit.thresholds import Thresholds
from omniloom.services.admin.verify import verify


class Row(msgspec.Struct, frozen=True):
    name: str
    ok: bool
    figure: str
    limit: str
    detail: str = ""


class Verdict(msgspec.Struct, frozen=True):
    ok: bool
    run: str
    requests: int
    journeys: int
    orders_acknowledged: int
    rows: list[Row]


def judge_run(tally: Tally, thresholds: Thresholds) -> list[Row]:
    """What the clients saw, against the thresholds."""
    rows = [Row("requests made", tally.requests > 0, f"{tally.requests:,}", "> 0")]
    rate = tally.failures / tally.requests if tally.requests else 0.0
    if thresholds.error_rate is not None:
        worst = sorted(tally.failures_by_name.items(), key=lambda item: -item[1])[:3]
        detail = ", ".join(f"{name}: {count}" for name, count in worst)
        limit = thresholds.error_rate
        rows.append(Row("error rate", rate <= limit, f"{rate:.2%}", f"<= {limit:.2%}", detail))
    for q, limit_ms in ((50, thresholds.p50_ms), (95, thresholds.p95_ms), (99, thresholds.p99_ms)):
        if limit_ms is not None:
            value = percentile(tally.latencies_ms, q)
            rows.append(
                Row(
                    f"p{q} latency", value <= limit_ms, f"{value:,.0f} ms", f"<= {limit_ms:,.0f} ms"
                )
            )
    return rows


def judge_store(conn: Connection, tally: Tally) -> list[Row]:
    """The store after the load: its invariants, and the acknowledged orders all there."""
    acknowledged = set(tally.orders)
    lost = store_probe.missing_orders(conn, acknowledged)
    extra = store_probe.unacknowledged_orders(conn, tally.run, acknowledged)
    rows = [
        Row(
            "acknowledged orders kept",
            not lost,
            f"{len(acknowledged) - len(lost):,} of {len(acknowledged):,}",
            "none lost",
            ", ".join(lost[:5]),
        ),
        Row(
            "no order unacknowledged",
            not extra,
            f"{len(extra):,}",
            "0 placed without the client told",
            ", ".join(extra[:5]),
        ),
    ]
    for check in verify(conn).checks:
        detail = "; ".join(str(example) for example in check.examples[:3])
        rows.append(Row(f"store: {check.name}", check.ok, f"{check.violations:,}", "0", detail))
    return rows


def judge_flash_sale(conn: Connection, sale: FlashSale) -> Row:
    """K units raced for on every channel: exactly K orders of one unit, none oversold."""
    placed, units = store_probe.sold(conn, sale.sku)
    left = store_probe.available(conn, sale.sku)
    detail = f"{units} units sold, {left} still available"
    if left > 0:
        detail += " (too few shoppers reached checkout to sell out)"
    return Row(
        f"flash sale {sale.sku}: exactly K",
        placed == units == sale.units and left == 0,
        f"{placed:,} orders",
        f"== {sale.units:,}",
        detail,
    )


def judge_server(lines: list[RequestLine]) -> list[Row]:
    """What the server's request log says: no request ended in a server error."""
    failed = [line for line in lines if line.status >= 500]
    worst = ", ".join(f"{line.method} {line.route} {line.status}" for line in failed[:3])
    p99 = percentile([line.duration_ms for line in lines], 99)
    return [
        Row(
            "server errors (request log)",
            not failed,
            f"{len(failed):,} of {len(lines):,}",
            "0",
            worst,
        ),
        Row("server p99 (request log)", True, f"{p99:,.1f} ms", "(for reading)"),
    ]


def verdict(
    conn: Connection,
    tally: Tally,
    thresholds: Thresholds,
    log: list[RequestLine] | None = None,
    flash_sale: FlashSale | None = None,
) -> Verdict:
    rows = judge_run(tally, thresholds) + judge_store(conn, tally)
    if flash_sale is not None:
        rows.append(judge_flash_sale(conn, flash_sale))
    if log is not None:
        rows += judge_server(log)
    return Verdict(
        ok=all(row.ok for row in rows),
        run=tally.run,
        requests=tally.requests,
        journeys=tally.journeys_started,
        orders_acknowledged=len(set(tally.orders)),
        rows=rows,
    )


def table(found: Verdict) -> str:
    lines = [
        f"omniloom load verdict, run {found.run or '?'}: {found.requests:,} requests, "
        f"{found.journeys:,} journeys, {found.orders_acknowledged:,} orders acknowledged",
        f"     {'check':<34} {'figure':>16}  limit",
    ]
    for row in found.rows:
        mark = "ok  " if row.ok else "FAIL"
        lines.append(f"{mark} {row.name:<34} {row.figure:>16}  {row.limit}")
        if row.detail and not row.ok:
            lines.append(f"       {row.detail}")
    lines.append("PASS" if found.ok else "FAIL")
    return "\n".join(lines)
