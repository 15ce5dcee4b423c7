"""Every `omniloom` command, given a missing database, a bad option or a bad file, says so in
one line with the exit code it means, and never shows a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from omniloom import __version__
from omniloom.cli import build_parser, main
from omniloom.cli_support import EXIT_FAILED, EXIT_NO_STORE, EXIT_OK, EXIT_USAGE
from tests.support.server import omniloom

Capture = pytest.CaptureFixture[str]


def _one_line(capsys: Capture) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.fixture
def missing(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "nothing-here.db"
    return f"sqlite:///{path}", path


@pytest.fixture
def demo(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["seed", "--database-url", url, "--quiet"]) == EXIT_OK
    return url


def test_version(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"omniloom {__version__}"


def test_every_command_has_a_description_and_shows_its_defaults() -> None:
    def commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += [sub, *commands(sub)]
        return found

    subcommands = commands(build_parser())
    assert {"serve", "verify", "keys", "seed", "report", "export"} <= {
        sub.prog.split()[-1] for sub in subcommands
    }
    for sub in subcommands:
        assert sub.description, f"{sub.prog} has no description"
    serve = next(sub for sub in subcommands if sub.prog.endswith(" serve"))
    assert "(default: 8000)" in serve.format_help()
    assert "{critical,error,warning,info,debug,trace}" in serve.format_help()


@pytest.mark.parametrize(
    "command",
    [["verify"], ["verify", "--json"], ["keys"], ["serve"], ["export", "touchpoints"]],
)
def test_a_missing_database_is_no_store_and_is_not_created(
    command: list[str], missing: tuple[str, Path], capsys: Capture
) -> None:
    url, path = missing
    assert main([*command, "--database-url", url]) == EXIT_NO_STORE
    err = _one_line(capsys)
    assert "no database" in err and "omniloom seed" in err
    assert not path.exists()


def test_an_unseeded_database_is_no_store(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert main(["verify", "--database-url", f"sqlite:///{path}"]) == EXIT_NO_STORE
    assert "holds no store yet" in _one_line(capsys)


def test_verify_a_seeded_store(demo: str, capsys: Capture) -> None:
    assert main(["verify", "--database-url", demo]) == EXIT_OK
    assert "store verified" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "complaint"),
    [
        (["serve", "--log-level", "bogus"], "invalid choice: 'bogus'"),
        (["serve", "--port", "99999"], "must be 0 (any free port) to 65535"),
        (["serve", "--workers", "zero"], "not a whole number"),
        (["export", "touchpoints", "--format", "xml"], "invalid choice: 'xml'"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_a_bad_option_is_a_usage_error(command: list[str], complaint: str, capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(command)
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert complaint in err and "Traceback" not in err


def test_a_file_that_cannot_be_written_is_a_usage_error(
    demo: str, tmp_path: Path, capsys: Capture
) -> None:
    out = tmp_path / "no" / "such" / "dir" / "touchpoints.jsonl"
    command = ["export", "touchpoints", "--database-url", demo, "--out", str(out)]
    assert main(command) == EXIT_USAGE
    assert "No such file or directory" in _one_line(capsys)


@pytest.mark.parametrize(
    "command",
    [
        ["seed", "--from", "/no/such/export"],
        ["attribution", "--paths", "/no/such/paths.csv"],
        ["report", "--paths", "/no/such/paths.csv", "--out", "report.html"],
    ],
)
def test_a_file_that_cannot_be_read_is_a_usage_error(command: list[str], capsys: Capture) -> None:
    assert main(command) == EXIT_USAGE
    _one_line(capsys)


def test_an_unexpected_failure_is_one_line(
    demo: str, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    def broken(conn: object) -> None:
        raise RuntimeError("the disk caught fire\nsecond line")

    monkeypatch.setattr("omniloom.services.admin.verify.verify", broken)
    assert main(["verify", "--database-url", demo]) == EXIT_FAILED
    assert _one_line(capsys) == "omniloom verify: error: the disk caught fire\n"


def test_as_a_user_runs_it_verify_without_a_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "var" / "omniloom.db"
    run = omniloom("verify", "--database-url", f"sqlite:///{path}")
    assert run.returncode == EXIT_NO_STORE
    assert run.stderr.startswith("omniloom verify: no database at")
    assert "Traceback" not in run.stderr and not path.exists() and not path.parent.exists()
