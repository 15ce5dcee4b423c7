"""The channel guides (docs/guides/) cannot rot silently: every route they name is one the
OpenAPI document has, with that method; the README and the document point to each of them; and
every guide's commands, pasted into a shell, run to the end against a served demo store."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omniloom.scenarios.runner import _template
from tests.support.contract import contract_document
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "guides"
NAMES = ["web-and-app.md", "pos.md", "social.md", "messaging.md", "admin.md"]
MAKE_RUN = "localhost:8000"  # where the guides' commands point: `make run`

_BASH = re.compile(r"```bash\n(.*?)```", re.DOTALL)
# A curl's URL on the served store (a path, up to its query), and the method named before it.
_CURL_URL = re.compile(re.escape(MAKE_RUN) + r"(/[^\s'\"?]*)")
_METHOD = re.compile(r"-X\s+([A-Z]+)")
# A route named in the prose: `POST /v1/carts/{id}/links`.
_NAMED = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^\s`?]+)")


def _commands(guide: str) -> str:
    return "\n".join(_BASH.findall((GUIDES / guide).read_text()))


def _called(guide: str) -> list[tuple[str, str]]:
    """(method, path) of every curl in the guide's command blocks; ``$VAR`` segments are ids."""
    commands = _commands(guide)
    calls = []
    for match in _CURL_URL.finditer(commands):
        start = commands.rfind("curl ", 0, match.start())
        methods = _METHOD.findall(commands[start : match.start()])
        calls.append((methods[-1] if methods else "GET", match.group(1)))
    return calls


def _named(guide: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _NAMED.finditer((GUIDES / guide).read_text())]


def _matches(path: str, template: str) -> bool:
    given, expected = path.strip("/").split("/"), template.strip("/").split("/")
    if len(given) != len(expected):
        return False
    for segment, pattern in zip(given, expected, strict=True):
        is_param = pattern.startswith("{")
        named_as_id = segment.startswith(("$", "{"))
        if not is_param and (named_as_id or segment != pattern):
            return False
    return True


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return contract_document()


def test_there_is_a_guide_for_every_channel() -> None:
    assert sorted(path.name for path in GUIDES.glob("*.md")) == sorted(NAMES)


@pytest.mark.parametrize("guide", NAMES)
def test_every_route_a_guide_names_is_in_the_openapi_document(
    guide: str, document: dict[str, Any]
) -> None:
    routes = [
        (method.upper(), template)
        for template, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    named = _called(guide) + _named(guide)
    assert len(_called(guide)) >= 5, "a walk-through with commands"
    unknown = [
        f"{method} {path}"
        for method, path in named
        if not any(m == method and _matches(path, t) for m, t in routes)
    ]
    assert not unknown, f"{guide} names routes the OpenAPI document does not have: {unknown}"


def test_the_readme_and_the_openapi_document_point_to_every_guide(
    document: dict[str, Any],
) -> None:
    readme = (ROOT / "README.md").read_text()
    description = document["info"]["description"]
    for guide in NAMES:
        assert f"](docs/guides/{guide})" in readme, guide
        assert guide in description, guide


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`omniloom serve` on a copy of the demo store, as `make run` serves it."""
    database = tmp_path_factory.mktemp("guides") / "demo.db"
    shutil.copyfile(_template(), database)
    with running_server(f"sqlite:///{database}") as base:
        yield base


@pytest.mark.skipif(not shutil.which("curl"), reason="the guides' commands use curl")
@pytest.mark.parametrize("guide", NAMES)
def test_every_guide_runs_to_the_end_against_a_served_demo_store(guide: str, served: str) -> None:
    assert httpx.post(f"{served}/v1/admin/reset", headers={"X-API-Key": "olk_admin_demo"})
    script = "set -euo pipefail\n" + _commands(guide).replace(MAKE_RUN, served.split("//")[1])
    ran = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    # A field a command reads that the answer lacks stops the script (python's KeyError).
    assert ran.returncode == 0, f"{guide}: {ran.stderr[-2000:]}"
    assert '"status":5' not in ran.stdout, f"{guide}: a server error\n{ran.stdout[-2000:]}"
