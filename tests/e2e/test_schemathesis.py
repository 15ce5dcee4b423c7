"""Schemathesis, a tool nobody here wrote, against a real server of the demo store: every check
it has, every phase, seeded and bounded, and no failure.

Nothing is excluded. What Schemathesis is told is in `schemathesis.toml` (read from the
repository root) and the hooks in tests/support/schemathesis_hooks.py, each with its reason: the
answers omniloom gives to schema-valid requests that break a rule no schema can state (402, 412,
422, beside Schemathesis's own 404 and 409) count as accepted; every request gets its own
Idempotency-Key and sends no made-up If-Match; the outbox's long poll is asked to wait 0 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.api import Client, headers
from tests.support.server import omniloom, running_server
from tests.support.store import ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("schemathesis")
# Every run: the schema's examples, the coverage phase (every boundary and every documented
# answer of every parameter), 5 generated cases per operation and the stateful phase: about
# 11,000 requests, 1 to 2 minutes. With OMNILOOM_CONTRACT_FULL=1, 25 cases per operation.
FULL = bool(os.environ.get("OMNILOOM_CONTRACT_FULL"))
EXAMPLES = "25" if FULL else "5"
# Whatever the machine, the run ends: a hung request fails the test instead of the suite.
RUN_TIMEOUT_SECONDS = 900 if FULL else 420


def test_schemathesis_finds_no_failure_with_every_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = omniloom("seed", "--database-url", url, "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    with running_server(url) as base:
        command = [str(ST), "--config-file", str(ROOT / "schemathesis.toml"), "run"]
        command += [f"{base}/docs/openapi.json", "--checks", "all"]
        command += ["-H", "X-API-Key: olk_admin_demo"]
        command += ["--max-examples", EXAMPLES, "--seed", "1", "--no-color"]
        command += ["--generation-database", "none", "--request-timeout", "35"]
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            env=env,
            cwd=ROOT,
            check=False,
        )
    failures = run.stdout.find("=== FAILURES")
    assert run.returncode == 0, (
        run.stdout[failures:][:5000] + run.stdout[-1500:] + run.stderr[-1000:]
    )


async def test_options_names_every_method_of_the_path(client: Client) -> None:
    """A path whose methods come from two handlers (GET and PUT of the clock, PATCH and DELETE
    of a cart line) answers OPTIONS with all of them, as the document lists them."""
    document: dict[str, Any] = (await client.get("/docs/openapi.json")).json()
    wrong = []
    for path, item in document["paths"].items():
        documented = {m.upper() for m in item if m in {"get", "put", "post", "patch", "delete"}}
        concrete = path.replace("{", "").replace("}", "")
        answer = await client.options(concrete, headers=headers(ADMIN_KEY))
        allowed = {m.strip() for m in answer.headers.get("allow", "").split(",")}
        if answer.status_code != 204 or allowed != documented | {"OPTIONS"}:
            wrong.append(f"{path}: {answer.status_code} Allow: {answer.headers.get('allow')}")
    assert wrong == []
