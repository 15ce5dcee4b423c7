"""Reports of a run: JUnit XML (one test case per journey) and JSON, with the same failure text
a person reads on the terminal: file and line, the step, expected versus got, the request and
response excerpt, the captured variables and the last touchpoints."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import msgspec

from omniloom.scenarios.journey import JourneyOutcome
from omniloom.scenarios.runner import RunResult

LAST_TOUCHPOINTS = 5


def failure_text(result: RunResult, outcome: JourneyOutcome) -> str:
    lines: list[str] = []
    for step in outcome.failures:
        kind = "soft failure" if step.soft else "failed"
        lines.append(f"{step.where}: step {step.title!r} ({step.action}) {kind}")
        lines.extend("  " + line for line in step.message.splitlines())
    if outcome.variables:
        shown = {k: _short(v) for k, v in sorted(outcome.variables.items())}
        lines.append("captured: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    if result.events:
        lines.append("last touchpoints:")
        for event in result.events[-LAST_TOUCHPOINTS:]:
            lines.append(
                f"  #{event['seq']} {event['occurred_at']} {event['type']}"
                f" channel={event.get('channel')} customer={event.get('customer_id')}"
            )
    return "\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
    return text if len(text) <= limit else text[:limit] + "…"


def junit_xml(results: list[RunResult], elapsed: float) -> bytes:
    suites = ElementTree.Element("testsuites", name="omniloom scenarios", time=f"{elapsed:.3f}")
    for result in results:
        outcomes = result.outcomes or [
            JourneyOutcome(result.scenario.name, str(result.scenario.path))
        ]
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=result.scenario.name,
            file=str(result.scenario.path),
            tests=str(len(outcomes)),
            failures=str(sum(not o.passed for o in outcomes)),
            errors="1" if result.error else "0",
        )
        for run, outcome in enumerate(outcomes):
            name = outcome.scenario if len(outcomes) == 1 else f"{outcome.scenario} [{run + 1}]"
            case = ElementTree.SubElement(
                suite, "testcase", name=name, classname=str(result.scenario.path), file=outcome.file
            )
            if result.error:
                ElementTree.SubElement(case, "error", message=result.error).text = result.error
            elif not outcome.passed:
                first = outcome.failures[0]
                message = f"{first.where}: {first.title}: {first.message.splitlines()[0]}"
                failure = ElementTree.SubElement(case, "failure", message=message)
                failure.text = failure_text(result, outcome)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"


def json_report(results: list[RunResult], elapsed: float) -> bytes:
    report = {
        "passed": all(r.passed for r in results),
        "elapsed_seconds": round(elapsed, 3),
        "scenarios": [
            {
                "name": r.scenario.name,
                "file": str(r.scenario.path),
                "passed": r.passed,
                "error": r.error or None,
                "journal_sha256": _sha(r),
                "events": len(r.events),
                "runs": [
                    {
                        "passed": o.passed,
                        "calls": o.calls,
                        "variables": o.variables,
                        "steps": [_step(s) for s in o.steps],
                    }
                    for o in r.outcomes
                ],
            }
            for r in results
        ],
    }
    return msgspec.json.format(msgspec.json.encode(report), indent=2) + b"\n"


def _step(step: Any) -> dict[str, Any]:
    return {
        "title": step.title,
        "where": step.where,
        "action": step.action,
        "status": step.status,
        "soft": step.soft,
        "http_status": step.http_status,
        "message": step.message or None,
    }


def _sha(result: RunResult) -> str:
    from omniloom.scenarios.journal import digest

    return digest(result.journal)
