"""Shoppers are generated from seeds of their own: the same file meets the same people, and a
new shopper in the cast changes nobody else."""

from __future__ import annotations

from pathlib import Path

from omniloom.scenarios.loader import load
from omniloom.scenarios.shoppers import casts

CAST = "name: s\nseed: 9\nshoppers:\n  - name: ann\n{more}steps:\n  - verify: {{}}\n"


def _cast(tmp_path: Path, more: str = "", runs: int = 1) -> list:
    path = tmp_path / "s.yaml"
    path.write_text(CAST.format(more=more))
    return casts(load(path), runs)


def test_adding_a_shopper_changes_no_one_else(tmp_path: Path) -> None:
    [alone] = _cast(tmp_path)
    [pair] = _cast(tmp_path, "  - name: bob\n")
    assert alone["ann"].profile == pair["ann"].profile
    assert pair["bob"].profile["email"] != pair["ann"].profile["email"]


def test_each_run_meets_a_different_shopper(tmp_path: Path) -> None:
    first, second = _cast(tmp_path, runs=2)
    assert first["ann"].profile["email"] != second["ann"].profile["email"]
    assert first["ann"].profile == _cast(tmp_path, runs=2)[0]["ann"].profile


def test_a_csv_gives_one_cast_per_row_with_its_fields(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("email,city\na@example.org,Oslo\nb@example.org,Lima\n")
    runs = _cast(tmp_path, "  - name: row\n    csv: people.csv\n")
    assert [c["row"].profile["email"] for c in runs] == ["a@example.org", "b@example.org"]
    assert [sorted(c) for c in runs] == [["ann", "row"], ["ann", "row"]]
