"""Time every attribution model on the shared path data and on it replicated 100x (1,000,000 rows).

    .venv/bin/python benchmarks/attribution/bench_attribution.py [--ca-python PYTHON]

With ``--ca-python`` (an interpreter that has ``ChannelAttribution`` and ``pandas``; never a
dependency of omniloom) the same 1,000,000-row file is also run through ChannelAttribution's
simulation-based ``markov_model`` in that interpreter, and the ratio is printed. If
ChannelAttribution is importable in this interpreter, it is used directly.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from omniloom.analytics.models import (
    LastNonDirect,
    Markov,
    PathModel,
    Shapley,
    path_models,
)
from omniloom.analytics.pathfile import read_path_file, write_path_file
from omniloom.analytics.paths import PathRow

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PATHS = REPO / ".." / "shared" / "data" / "attribution" / "pathdata.csv"

# Run in the ChannelAttribution interpreter: read with pandas, time markov_model, print JSON.
CA_SCRIPT = """
import json, sys, time
from importlib.metadata import version
import pandas as pd
import ChannelAttribution as ca
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1], sep=";")
t1 = time.perf_counter()
ca.markov_model(df, "path", "total_conversions", var_value="total_conversion_value",
                var_null="total_null", order=1, seed=1, verbose=0, flg_pro=False)
t2 = time.perf_counter()
ca.heuristic_models(df, "path", "total_conversions", var_value="total_conversion_value",
                    flg_pro=False)
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "markov": t2 - t1, "heuristics": t3 - t2,
                  "version": version("ChannelAttribution")}))
"""


def best_of(repeat: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def models() -> list[PathModel]:
    return [
        *path_models(),
        LastNonDirect(),
        Markov(2),
        Markov(3),
        Markov(4),
        Shapley(exact_max_channels=0, permutations=500),
    ]


def label(model: PathModel) -> str:
    if isinstance(model, Markov):
        return f"markov order {model.order}"
    if isinstance(model, Shapley) and model.exact_max_channels == 0:
        return f"shapley sampled ({model.permutations} perms)"
    return model.name


def run_channelattribution(file: Path, python: str | None) -> dict[str, Any] | None:
    if importlib.util.find_spec("ChannelAttribution") is not None:
        python = sys.executable
    if python is None:
        return None
    command = [python, "-c", CA_SCRIPT, str(file)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"ChannelAttribution run failed:\n{done.stderr.strip()}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", type=Path, default=DEFAULT_PATHS)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per timing")
    parser.add_argument("--ca-python", help="interpreter with ChannelAttribution installed")
    args = parser.parse_args(argv)

    rows = read_path_file(args.paths)
    big: list[PathRow] = rows * args.replicas
    print(f"{args.paths.resolve()}: {len(rows):,} rows; replicated x{args.replicas}: {len(big):,}")
    print(f"python {sys.version.split()[0]}, best of {args.repeat}\n")

    with tempfile.TemporaryDirectory() as tmp:
        big_file = Path(tmp) / "paths_1m.csv"
        write_path_file(big, big_file)
        print(f"{'step':<32}{f'{len(rows):,} rows':>14}{f'{len(big):,} rows':>16}")
        small_read = best_of(args.repeat, lambda: read_path_file(args.paths))
        big_read = best_of(args.repeat, lambda: read_path_file(big_file))
        print(f"{'read path file':<32}{small_read:>13.3f}s{big_read:>15.3f}s")
        timings: dict[str, float] = {}
        for model in models():
            small = best_of(args.repeat, lambda m=model: m(rows))  # type: ignore[misc]
            large = best_of(args.repeat, lambda m=model: m(big))  # type: ignore[misc]
            timings[label(model)] = large
            print(f"{label(model):<32}{small:>13.3f}s{large:>15.3f}s")

        reference = run_channelattribution(big_file, args.ca_python)
        print()
        if reference is None:
            print("ChannelAttribution: not run (pass --ca-python, see README.md)")
        else:
            ours = timings["markov order 1"]
            print(f"ChannelAttribution {reference['version']} on the same {len(big):,} rows:")
            print(f"  pandas read_csv          {reference['read']:8.3f}s")
            print(f"  markov_model (order 1)   {reference['markov']:8.3f}s  (simulation)")
            print(f"  heuristic_models         {reference['heuristics']:8.3f}s")
            print(f"  omniloom exact Markov    {ours:8.3f}s")
            print(f"  ratio markov_model / omniloom Markov: {reference['markov'] / ours:.1f}x")
            ours_e2e = big_read + ours
            theirs_e2e = reference["read"] + reference["markov"]
            print(
                f"  read + Markov: ChannelAttribution {theirs_e2e:.3f}s, omniloom {ours_e2e:.3f}s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
