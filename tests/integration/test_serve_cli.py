from pathlib import Path

import pytest

from omniloom.cli import main


def test_several_workers_are_refused_on_the_embedded_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'one-writer.db'}"
    assert main(["serve", "--workers", "2", "--database-url", url]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err


def test_serving_an_empty_database_says_to_seed_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}"]) == 3
    assert "omniloom seed" in capsys.readouterr().err
