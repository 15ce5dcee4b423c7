"""Malformed scenario files get an error naming file, line and field, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from omniloom.scenarios.loader import ScenarioError, load

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"
HEAD = "name: t\nshoppers:\n  - name: ann\nsteps:\n"


def _error(tmp_path: Path, text: str) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    return caught.value


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    error = _error(tmp_path, HEAD + "  - browse: {q: [unclosed\n  - verify: {}\n")
    assert error.where.line in (5, 6) and "bad YAML" in error.message
    assert str(error).startswith(f"{error.where.file}:")


def test_unknown_action_suggests_the_closest(tmp_path: Path) -> None:
    error = _error(tmp_path, HEAD + "  - verify: {}\n  - add_lien: {sku: X}\n")
    assert (error.where.line, error.field) == (6, "add_lien")
    assert "did you mean 'add_line'" in error.message


def test_a_capture_used_before_it_is_made(tmp_path: Path) -> None:
    text = (
        HEAD
        + "  - add_line: {sku: '${item.sku}'}\n  - find_sku: {at: x}\n    capture: {item: body}\n"
    )
    error = _error(tmp_path, text)
    assert (error.where.line, error.field) == (5, "add_line.sku")
    assert "'item' is used before any step captures it" in error.message


def test_a_wrong_type_names_the_field(tmp_path: Path) -> None:
    error = _error(tmp_path, HEAD + "  - verify: {}\n  - add_line: {sku: X, quantity: two}\n")
    assert error.where.line == 6 and "expected a number" in error.message
    error = _error(tmp_path, HEAD + "  - add_line: {sku: [X]}\n")
    assert (error.where.line, error.field) == (5, "steps[0].add_line.sku")


def test_an_include_that_does_not_exist(tmp_path: Path) -> None:
    error = _error(tmp_path, HEAD + "  - verify: {}\n  - include: steps/nowhere.yaml\n")
    assert (error.where.line, error.field) == (6, "include")


def test_unknown_actor_and_channel(tmp_path: Path) -> None:
    assert _error(tmp_path, HEAD + "  - verify: {}\n    actor: bob\n").field == "actor"
    assert _error(tmp_path, HEAD + "  - verify: {}\n    channel: fax\n").where.line == 6


def test_an_include_without_its_parameters(tmp_path: Path) -> None:
    (tmp_path / "part.yaml").write_text("name: part\nparams: [at]\nsteps: []\n")
    error = _error(tmp_path, HEAD + "  - include: part.yaml\n")
    assert "needs parameters ['at']" in error.message


def test_the_example_library_loads() -> None:
    for path in sorted(LIBRARY.glob("*.yaml")):
        assert load(path).steps, path


def test_editors_accept_the_examples_and_flag_a_typo_with_the_schema() -> None:
    import json

    import yaml

    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        json.loads((LIBRARY / "scenario.schema.json").read_text())
    )
    for path in sorted(LIBRARY.glob("*.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    typo = {"name": "t", "steps": [{"add_lien": {"sku": "X"}}]}
    assert list(validator.iter_errors(typo))
