"""Inline SVG charts for the HTML report: a Sankey of channel flows and grouped bars.

Plain strings, no dependencies and no external resources, so the report is one file that opens
anywhere (and can be attached to a ticket). Every user-supplied label is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf",
)  # fmt: skip
OUTCOME_COLOURS = {"(conversion)": "#2e7d32", "(null)": "#9e9e9e", "(start)": "#455a64"}


def colour_for(name: str, order: Sequence[str]) -> str:
    if name in OUTCOME_COLOURS:
        return OUTCOME_COLOURS[name]
    return PALETTE[order.index(name) % len(PALETTE)] if name in order else PALETTE[0]


def sankey(
    counts: Mapping[str, Mapping[str, float]],
    states: Sequence[str],
    *,
    width: int = 760,
    height: int = 600,
) -> str:
    """A two-column Sankey: where journeys go from each state (left) to the next (right).

    A transition matrix has cycles (a → b → a), which a layered Sankey cannot draw; one column of
    origins and one of destinations shows every observed move, self-moves included, honestly.
    """
    origins = [s for s in states if sum(counts.get(s, {}).values()) > 0]
    inflow: dict[str, float] = {}
    for row in counts.values():
        for target, count in row.items():
            inflow[target] = inflow.get(target, 0.0) + count
    targets = [s for s in states if inflow.get(s, 0.0) > 0]
    total = sum(inflow.values())
    if total <= 0:
        return '<svg class="sankey" width="0" height="0" role="img"></svg>'
    gap, label_w, node_w = 12.0, 110.0, 12.0  # a gap of one text line keeps labels apart
    usable = height - gap * (max(len(origins), len(targets)) - 1) - 20
    scale = usable / total
    left_x, right_x = label_w, width - label_w - node_w
    colours = [s for s in states if s not in OUTCOME_COLOURS]

    def layout(nodes: Sequence[str], size: Mapping[str, float]) -> dict[str, float]:
        tops: dict[str, float] = {}
        y = 10.0
        for node in nodes:
            tops[node] = y
            y += size[node] * scale + gap
        return tops

    out_size = {s: sum(counts.get(s, {}).values()) for s in origins}
    left_top = layout(origins, out_size)
    right_top = layout(targets, inflow)
    parts = [
        f'<svg class="sankey" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="Channel flows">'
    ]
    left_cursor = dict(left_top)
    right_cursor = dict(right_top)
    mid = (left_x + node_w + right_x) / 2
    for origin in origins:
        for target in targets:
            count = counts.get(origin, {}).get(target, 0.0)
            if count <= 0:
                continue
            band = count * scale
            y0, y1 = left_cursor[origin], right_cursor[target]
            left_cursor[origin] += band
            right_cursor[target] += band
            x0, x1 = left_x + node_w, right_x
            parts.append(
                f'<path d="M{x0:.1f},{y0:.2f} C{mid:.1f},{y0:.2f} {mid:.1f},{y1:.2f} '
                f"{x1:.1f},{y1:.2f} L{x1:.1f},{y1 + band:.2f} C{mid:.1f},{y1 + band:.2f} "
                f'{mid:.1f},{y0 + band:.2f} {x0:.1f},{y0 + band:.2f} Z" '
                f'fill="{colour_for(origin, colours)}" fill-opacity="0.35">'
                f"<title>{escape(origin)} → {escape(target)}: {count:,.0f}</title></path>"
            )
    for nodes, tops, size, x, anchor, label_x in (
        (origins, left_top, out_size, left_x, "end", left_x - 6),
        (targets, right_top, inflow, right_x, "start", right_x + node_w + 6),
    ):
        for node in nodes:
            h = max(size[node] * scale, 1.0)
            parts.append(
                f'<rect x="{x:.1f}" y="{tops[node]:.2f}" width="{node_w}" height="{h:.2f}" '
                f'fill="{colour_for(node, colours)}"><title>{escape(node)}: '
                f"{size[node]:,.0f}</title></rect>"
                f'<text x="{label_x:.1f}" y="{tops[node] + h / 2 + 4:.2f}" '
                f'text-anchor="{anchor}">{escape(node)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    series: Mapping[str, Mapping[str, float]],
    categories: Sequence[str],
    *,
    width: int = 760,
    bar: float = 7.0,
) -> str:
    """Horizontal bars, one group per category (channel) and one bar per series (model)."""
    names = list(series)
    peak = max((v for s in series.values() for v in s.values()), default=0.0) or 1.0
    label_w, pad, legend_h = 110.0, 8.0, 24.0
    group_h = bar * len(names) + pad
    height = int(legend_h + group_h * len(categories) + pad)
    span = width - label_w - 80
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="Attribution by model">'
    ]
    step = min(130.0, (width - label_w) / max(len(names), 1))
    for i, name in enumerate(names):
        x = label_w + i * step
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.1f}" y="13">{escape(name)}</text>'
        )
    for g, category in enumerate(categories):
        top = legend_h + g * group_h
        parts.append(
            f'<text x="{label_w - 6:.1f}" y="{top + group_h / 2:.1f}" text-anchor="end">'
            f"{escape(category)}</text>"
        )
        for i, name in enumerate(names):
            value = series[name].get(category, 0.0)
            w = max(value / peak * span, 0.0)
            y = top + i * bar
            parts.append(
                f'<rect x="{label_w:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar - 1:.1f}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(name)}, '
                f"{escape(category)}: {value:,.1f}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)
