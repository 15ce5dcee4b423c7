"""A self-contained HTML report: KPI tiles, a Sankey of channel flows, attribution by model.

One string, inline CSS and SVG, no script and no link to anything outside the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from omniloom.analytics.charts import grouped_bars, sankey
from omniloom.analytics.kpis import JourneyKpis, PathKpis
from omniloom.analytics.models.base import Attribution

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
.muted{color:#666}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.8rem}
.tile{border:1px solid #ddd;border-radius:8px;padding:.7rem .9rem;background:#fafafa}
.tile .v{font-size:1.5rem;font-weight:600}.tile .k{color:#555;font-size:.85rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}
tfoot td{font-weight:600;border-top:2px solid #ccc}
svg text{font-size:11px;fill:#333}
"""


def render_report(
    attributions: Sequence[Attribution],
    kpis: PathKpis,
    *,
    journeys: JourneyKpis | None = None,
    title: str = "omniloom — journeys and attribution",
    source: str = "",
) -> str:
    """The report as one HTML document. ``journeys`` adds the KPIs only journeys can give."""
    channels = kpis.transitions.states[1:-2]
    sections = [
        _section("kpis", "Key figures", _tiles(kpis, journeys)),
        _section(
            "flows",
            "Channel flows",
            '<p class="muted">Every observed move from one step of a journey to the next: '
            "where journeys start, which channel follows which, and where they end.</p>"
            + sankey(kpis.transitions.counts, kpis.transitions.states),
        ),
        _section("attribution", "Attribution by model", _attribution(attributions, channels)),
        _section("channels", "Channels", _channels(kpis, channels)),
        _section("path-lengths", "Path lengths", _lengths(kpis)),
    ]
    if journeys is not None:
        sections.append(_section("time-to-convert", "Time to convert", _time(journeys)))
    subtitle = f'<p class="muted">Source: {escape(source)}</p>' if source else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{subtitle}{''.join(sections)}</body></html>\n"
    )


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(heading)}</h2>{body}</section>'


def _tiles(kpis: PathKpis, journeys: JourneyKpis | None) -> str:
    tiles = [
        ("Journeys", _count(kpis.journeys)),
        ("Conversions", _count(kpis.conversions)),
        ("Conversion rate", _pct(kpis.conversion_rate)),
        ("Conversion value", f"{kpis.value:,.2f}"),
        (
            "Average order value",
            "—" if kpis.average_order_value is None else f"{kpis.average_order_value:,.2f}",
        ),
        ("Cross-channel conversions", _pct(kpis.cross_channel_share)),
        ("Channels", str(len(kpis.transitions.states) - 3)),
    ]
    if journeys is not None:
        tiles.append(("Customers", f"{journeys.customers:,}"))
        rate = journeys.cart_abandonment_rate
        tiles.append(("Cart abandonment", "—" if rate is None else _pct(rate)))
    cells = "".join(
        f'<div class="tile"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>'
        for k, v in tiles
    )
    return f'<div class="tiles">{cells}</div>'


def _attribution(attributions: Sequence[Attribution], channels: Sequence[str]) -> str:
    if not attributions:
        return '<p class="muted">No attribution models were run.</p>'
    chart = grouped_bars({a.model: a.conversions for a in attributions}, channels)
    tables = []
    for caption, field in (("Conversions", "conversions"), ("Conversion value", "value")):
        head = "".join(f"<th>{escape(a.model)}</th>" for a in attributions)
        body = "".join(
            f"<tr><td>{escape(ch)}</td>"
            + "".join(f"<td>{getattr(a, field).get(ch, 0.0):,.2f}</td>" for a in attributions)
            + "</tr>"
            for ch in channels
        )
        foot = "".join(f"<td>{sum(getattr(a, field).values()):,.2f}</td>" for a in attributions)
        tables.append(
            f"<table><caption>{caption} credited</caption><thead><tr><th>channel</th>{head}"
            f"</tr></thead><tbody>{body}</tbody><tfoot><tr><td>total</td>{foot}</tr></tfoot>"
            "</table>"
        )
    notes = "".join(
        f"<li><b>{escape(a.model)}</b>: {escape(a.method)}</li>" for a in attributions if a.method
    )
    return chart + "".join(tables) + (f'<ul class="muted">{notes}</ul>' if notes else "")


def _channels(kpis: PathKpis, channels: Sequence[str]) -> str:
    rows = "".join(
        f"<tr><td>{escape(ch)}</td><td>{_pct(kpis.conversion_rate_by_channel.get(ch, 0.0))}</td>"
        f"<td>{kpis.revenue_last_touch.get(ch, 0.0):,.2f}</td>"
        f"<td>{kpis.revenue_linear.get(ch, 0.0):,.2f}</td></tr>"
        for ch in channels
    )
    return (
        "<table><thead><tr><th>channel</th><th>conversion rate of journeys touching it</th>"
        "<th>revenue, last touch</th><th>revenue, linear</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _lengths(kpis: PathKpis) -> str:
    rows = "".join(
        f"<tr><td>{b.length}</td><td>{_count(b.conversions)}</td><td>{_count(b.nulls)}</td></tr>"
        for b in kpis.path_lengths
    )
    return (
        "<table><thead><tr><th>touches</th><th>converting journeys</th>"
        f"<th>non-converting journeys</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _time(journeys: JourneyKpis) -> str:
    rows = "".join(
        f"<tr><td>{escape(b.label)}</td><td>{b.conversions:,}</td></tr>"
        for b in journeys.time_to_convert
    )
    return (
        "<table><thead><tr><th>first touch to order</th><th>conversions</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _count(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.2f}"
