"""Every problem the server answers during the test run must be in the OpenAPI document.

The exception handlers are wrapped once, before any app is built, to note which route answered
which status and problem ``code``. When the run ends, each noted answer is looked up in the
document of a freshly built app (the route's documented response for that status, and its
``x-problem-codes``); one the document does not promise fails the run, naming the route, so the
document cannot drift from what the server really says.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import msgspec
import pytest

from omniloom.api import problems

Seen = tuple[str, str, int, str]  # method, path template, status, code
_SEEN: set[Seen] = set()
RECORD_ENV = "OMNILOOM_CONTRACT_RECORD"  # a file to write what was seen to, one JSON per line


def _recording(handler: Any) -> Any:
    def record(request: Any, exc: Exception) -> Any:
        response = handler(request, exc)
        template = request.scope.get("path_template")
        if template:  # no template: no route matched (404 and 405 of the router itself)
            code = msgspec.json.decode(response.content).get("code", "")
            _SEEN.add((request.method.lower(), template, response.status_code, code))
        return response

    return record


def install() -> None:
    """Wrap the handlers in place: create_app passes this same dict to every app it builds."""
    for exc_type, handler in list(problems.EXCEPTION_HANDLERS.items()):
        if not getattr(handler, "_contract_recorder", False):
            wrapped = _recording(handler)
            wrapped._contract_recorder = True
            problems.EXCEPTION_HANDLERS[exc_type] = wrapped


def undocumented(seen: set[Seen], document: dict[str, Any]) -> list[str]:
    """The answers in ``seen`` that ``document`` does not promise, as readable lines."""
    missing = []
    for method, template, status, code in sorted(seen):
        operation = document["paths"].get(template, {}).get(method)
        if operation is None:
            continue  # not in the document at all (the docs pages themselves, say)
        response = operation["responses"].get(str(status))
        codes = (response or {}).get("x-problem-codes", [])
        if code not in codes:
            missing.append(f"{method.upper()} {template} → {status} {code}")
    return missing


def contract_document() -> dict[str, Any]:
    from omniloom.api.app import create_app
    from omniloom.api.openapi import document
    from omniloom.config import Settings

    with tempfile.TemporaryDirectory() as directory:
        app = create_app(Settings(database_url=f"sqlite:///{directory}/unused.db"))
        return document(app)


def check_session(session: pytest.Session) -> None:
    if os.environ.get(RECORD_ENV):
        with open(os.environ[RECORD_ENV], "w") as out:
            for seen in sorted(_SEEN):
                out.write(msgspec.json.encode(seen).decode() + "\n")
    if not _SEEN or session.exitstatus != 0:
        return
    missing = undocumented(_SEEN, contract_document())
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = "\n  ".join(missing)
        message = f"answers the OpenAPI document does not promise:\n  {lines}"
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
