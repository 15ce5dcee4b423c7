from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from omniloom.analytics.pathfile import write_path_file
from omniloom.analytics.paths import PathRow
from omniloom.cli import main

MODELS = ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]


@pytest.fixture
def vignette_file(tmp_path: Path, vignette: list[PathRow]) -> Path:
    file = tmp_path / "vignette.csv"
    write_path_file(vignette, file)
    return file


def test_csv_is_tidy_one_row_per_model_and_channel(
    vignette_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["attribution", "--paths", str(vignette_file), "--format", "csv"]) == 0
    reader = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert reader.fieldnames == ["model", "channel", "conversions", "value"]
    rows = list(reader)
    assert [(r["model"], r["channel"]) for r in rows] == [(m, c) for m in MODELS for c in "AB"]
    credit = {(r["model"], r["channel"]): float(r["conversions"]) for r in rows}
    assert credit["markov", "A"] == pytest.approx(2.0)
    assert credit["linear", "B"] == pytest.approx(0.9)
    for model in MODELS:
        assert credit[model, "A"] + credit[model, "B"] == pytest.approx(3.0)


def test_json_carries_totals_and_model_details(
    vignette_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["attribution", "--paths", str(vignette_file), "--format", "json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["rows"] == 3 and output["total_conversions"] == 3.0
    assert [m["model"] for m in output["models"]] == MODELS
    markov = output["models"][MODELS.index("markov")]
    assert markov["removal_effects"] == pytest.approx({"A": 1.0, "B": 0.5})
    assert markov["value"] == pytest.approx({"A": 2.0, "B": 1.0})


def test_table_lists_every_model_and_the_totals(
    vignette_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["attribution", "--paths", str(vignette_file)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("channel"))
    assert header.split() == ["channel", *MODELS]
    totals = [line.split() for line in out.splitlines() if line.startswith("total")]
    assert totals == [["total", *["3.00"] * 6]] * 2


def test_markov_order_option_changes_the_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "bypass.csv"
    file.write_text(
        "path;total_conversions;total_conversion_value;total_null\na>c>b;1;1;0\na>b;0;0;1\n"
    )
    effects = {}
    for order in ("1", "2"):
        assert (
            main(["attribution", "--paths", str(file), "--format", "json", "--markov-order", order])
            == 0
        )
        models = json.loads(capsys.readouterr().out)["models"]
        effects[order] = next(m for m in models if m["model"] == "markov")["removal_effects"]["c"]
    assert effects == pytest.approx({"1": 0.5, "2": 1.0})


def test_bad_file_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("path;total_conversions;total_conversion_value;total_null\na;1;1;0\nb;1;x;0\n")
    assert main(["attribution", "--paths", str(file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "line 3" in captured.err and "total_conversion_value is not a number" in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["report", "--paths", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.html")])
        == 2
    )
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_report_writes_a_self_contained_page(
    vignette_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--paths", str(vignette_file), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="flows"' in html and 'id="attribution"' in html and 'id="kpis"' in html
    assert "http" not in html
    assert str(out) in capsys.readouterr().out


def test_markov_order_is_limited_to_four(vignette_file: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["attribution", "--paths", str(vignette_file), "--markov-order", "5"])
    assert exited.value.code == 2
