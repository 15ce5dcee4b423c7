from __future__ import annotations

import re
from html.parser import HTMLParser

from omniloom.analytics.journeys import build_journeys, journey_paths
from omniloom.analytics.kpis import journey_kpis, path_kpis
from omniloom.analytics.models import path_models
from omniloom.analytics.paths import PathRow
from omniloom.analytics.report import render_report

from .conftest import rows_from
from .test_invariants import simulated_journeys


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.section_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self.section_ids.append(dict(attrs).get("id") or "")


def render(rows: list[PathRow], source: str = "") -> str:
    return render_report([m(rows) for m in path_models()], path_kpis(rows), source=source)


def test_report_has_tiles_sankey_and_every_model(random_rows: list[PathRow]) -> None:
    html = render(random_rows, source="paths.csv")
    parser = Tags()
    parser.feed(html)
    assert parser.section_ids == ["kpis", "flows", "attribution", "channels", "path-lengths"]
    assert 'class="sankey"' in html and 'class="bars"' in html
    for model in ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]:
        assert f"<th>{model}</th>" in html
    assert "Conversion rate" in html and "Source: paths.csv" in html
    # One Sankey band per observed transition.
    transitions = path_kpis(random_rows).transitions.counts
    bands = sum(len(row) for row in transitions.values())
    assert len(re.findall(r"<path d=", html)) == bands


def test_report_is_self_contained() -> None:
    html = render(rows_from([("a>b", 1, 2, 3)]))
    parser = Tags()
    parser.feed(html)
    assert "http" not in html
    assert not [t for t, _ in parser.tags if t in {"script", "link", "img", "iframe"}]
    assert all("src" not in attrs and "href" not in attrs for _, attrs in parser.tags)


def test_channel_names_are_escaped() -> None:
    html = render([PathRow(("<script>alert(1)</script>", "b&c"), 1, 1, 0)])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "b&amp;c" in html


def test_journey_report_adds_customers_abandonment_and_time_to_convert() -> None:
    journeys = build_journeys(simulated_journeys(11))
    kpis = journey_kpis(journeys)
    rows = journey_paths(journeys)
    html = render_report([m(rows) for m in path_models()], kpis.paths, journeys=kpis)
    assert 'id="time-to-convert"' in html
    assert "Cart abandonment" in html and "Customers" in html
