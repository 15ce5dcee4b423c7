from __future__ import annotations

from pathlib import Path

import pytest

from omniloom.analytics.pathfile import (
    HEADER,
    PathFileError,
    iter_path_lines,
    parse_path_lines,
    parse_path_text,
    read_path_file,
    write_path_file,
)
from omniloom.analytics.paths import PathRow, aggregate_paths, split_path


def test_reads_channels_with_or_without_spaces_and_fractional_counts() -> None:
    text = f'{HEADER}\na > b>c;2;6.5;3\n"x>y";0;0;1.5\n'
    assert parse_path_text(text) == [
        PathRow(("a", "b", "c"), 2.0, 6.5, 3.0),
        PathRow(("x", "y"), 0.0, 0.0, 1.5),
    ]


def test_columns_may_come_in_any_order_with_extra_columns() -> None:
    text = "total_null;note;path;total_conversion_value;total_conversions\n4;hi;a>b;9.5;1\n"
    assert parse_path_text(text) == [PathRow(("a", "b"), 1.0, 9.5, 4.0)]


def test_windows_line_endings_bom_and_blank_lines(tmp_path: Path) -> None:
    file = tmp_path / "paths.csv"
    file.write_bytes(f"\ufeff{HEADER}\r\na>b;1;2;3\r\n\r\nb;0;0;1\r\n".encode())
    assert read_path_file(file) == [PathRow(("a", "b"), 1, 2, 3), PathRow(("b",), 0, 0, 1)]


def test_the_fast_and_the_line_by_line_parser_agree(random_rows: list[PathRow]) -> None:
    lines = list(iter_path_lines(random_rows))
    assert parse_path_text("".join(lines)) == parse_path_lines(lines) == random_rows


def test_written_files_read_back_identically(tmp_path: Path, random_rows: list[PathRow]) -> None:
    file = tmp_path / "out.csv"
    write_path_file(random_rows, file)
    assert read_path_file(file) == random_rows


def test_rows_that_share_a_path_share_one_tuple() -> None:
    rows = parse_path_text(f"{HEADER}\na > b;1;1;0\na > b;2;2;0\n")
    assert rows[0].path is rows[1].path
    assert aggregate_paths(rows) == {("a", "b"): [3.0, 3.0, 0.0]}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty file"),
        ("path,total_conversions,total_conversion_value,total_null\na,1,1,0\n", 1, "separator ','"),
        (
            "path;total_conversions;total_null\na;1;0\n",
            1,
            "missing column(s) total_conversion_value",
        ),
        (f"{HEADER}\n", 2, "no path rows"),
        (f"{HEADER}\na;1;1;0\nb;1;1\n", 3, "expected 4 fields"),
        (f"{HEADER}\na;1;1;0\nb;1;1;0;9\n", 3, "expected 4 fields"),
        (f"{HEADER}\na;1;1;0\n\nb;x;1;0\n", 4, "total_conversions is not a number: 'x'"),
        (f"{HEADER}\na;1;1;0\nb;1;one;0\n", 3, "total_conversion_value is not a number"),
        (f"{HEADER}\na;1;1;-2\n", 2, "total_null must not be negative"),
        (f"{HEADER}\na;-1;0;0\n", 2, "total_conversions must not be negative"),
        (f"{HEADER}\na;nan;0;0\n", 2, "must be a finite number"),
        (f"{HEADER}\na;1;inf;0\n", 2, "must be a finite number"),
        (f"{HEADER}\na;0;5;1\n", 2, "total_conversions is 0"),
        (f"{HEADER}\na;1;1;0\n;1;1;0\n", 3, "empty path"),
        (f"{HEADER}\na > > b;1;1;0\n", 2, "empty channel name"),
    ],
)
def test_bad_files_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PathFileError) as caught:
        parse_path_text(text, source="bad.csv")
    assert caught.value.line == line
    assert f"bad.csv, line {line}: " in str(caught.value)
    assert fragment in str(caught.value)


def test_non_utf8_file_is_a_path_file_error(tmp_path: Path) -> None:
    file = tmp_path / "latin1.csv"
    file.write_bytes(f"{HEADER}\ncaf\xe9;1;1;0\n".encode("latin-1"))
    with pytest.raises(PathFileError, match="not UTF-8"):
        read_path_file(file)


def test_split_path_rejects_empty_channels() -> None:
    assert split_path(' " a>b " ') == ("a", "b")
    with pytest.raises(ValueError, match="empty channel"):
        split_path("a>")


def test_shared_pathdata_has_the_documented_totals(pathdata: list[PathRow]) -> None:
    assert len(pathdata) == 10_000
    assert sum(r.conversions for r in pathdata) == 19_785
    assert sum(r.nulls for r in pathdata) == 68_602
    assert sum(r.value for r in pathdata) == pytest.approx(74_802.972, abs=1e-3)
    assert max(len(r.path) for r in pathdata) == 89
    assert sum(1 for r in pathdata if r.conversions == 0) == 1_801
