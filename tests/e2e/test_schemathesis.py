"""Schemathesis, a tool nobody here wrote, against a real server of the demo store: every check
it has, seeded and bounded, and no failure.

Two checks are left out, each for a reason a client can read in the README: the business rules
no schema can say (a cursor this API handed out, phone *or* email, a clock that only moves
forward …) make `positive_data_acceptance` expect a 2xx omniloom rightly refuses with 422; and
Litestar answers OPTIONS on a path that two handlers share with only one handler's methods
(`allow_header_conformance`). A 405 carries a full Allow header and is checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.server import omniloom, running_server

ST = Path(sys.executable).with_name("schemathesis")
UNCHECKED = "positive_data_acceptance,allow_header_conformance"
# Every run: the schema's examples and 5 generated cases per operation (about 40 s). With
# OMNILOOM_CONTRACT_FULL=1 also the coverage phase (every boundary and every documented
# answer of every parameter) and 25 cases per operation: about 9,000 cases, 3 minutes.
FULL = bool(os.environ.get("OMNILOOM_CONTRACT_FULL"))
EXAMPLES = "25" if FULL else "5"
PHASES = "examples,coverage,fuzzing" if FULL else "examples,fuzzing"


def test_schemathesis_finds_no_failure_with_every_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = omniloom("seed", "--database-url", url, "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd()), env.get("PYTHONPATH", "")])
    with running_server(url) as base:
        command = [str(ST), "run", f"{base}/docs/openapi.json", "--checks", "all"]
        command += ["--exclude-checks", UNCHECKED, "-H", "X-API-Key: olk_admin_demo"]
        command += ["--max-examples", EXAMPLES, "--seed", "1", "--no-color"]
        command += ["--phases", PHASES, "--generation-database", "none"]
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
