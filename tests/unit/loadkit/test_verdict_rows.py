"""The verdict's judgement of what the clients saw: error rate and percentiles against limits."""

from __future__ import annotations

from omniloom.loadkit.results import Tally, percentile
from omniloom.loadkit.thresholds import Thresholds
from omniloom.loadkit.verdict import judge_run


def tally(latencies: list[float], failures: int = 0) -> Tally:
    seen = Tally(run="r")
    for number, latency in enumerate(latencies):
        seen.request("checkout", latency, ok=number >= failures)
    return seen


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (
        50,
        99,
        100,
    )
    assert percentile([], 99) == 0


def test_a_run_within_its_limits_passes_every_row() -> None:
    rows = judge_run(tally([10.0] * 99 + [900.0]), Thresholds(error_rate=0.01, p99_ms=100))
    assert [(row.name, row.ok) for row in rows] == [
        ("requests made", True),
        ("error rate", True),
        ("p99 latency", True),
    ]


def test_too_many_failures_or_a_slow_tail_fail_their_rows() -> None:
    rows = judge_run(tally([10.0] * 98 + [900.0] * 2, failures=2), Thresholds(0.01, p99_ms=100))
    failed = {row.name: row for row in rows if not row.ok}
    assert set(failed) == {"error rate", "p99 latency"}
    assert failed["error rate"].detail == "checkout: 2"


def test_a_run_that_made_no_request_fails() -> None:
    assert not judge_run(Tally(), Thresholds())[0].ok


def test_a_shapes_thresholds_override_the_mixs_field_by_field() -> None:
    merged = Thresholds(error_rate=0.01, p99_ms=2000).overridden_by(Thresholds(p99_ms=50))
    assert merged == Thresholds(error_rate=0.01, p99_ms=50)
