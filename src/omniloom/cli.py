"""The one `omniloom` command.

Each command group lives beside the code it drives and registers its own sub-commands through an
``add_commands(subparsers)`` function, so this module only composes them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from omniloom import export_cli, serve_cli
from omniloom.analytics import cli as analytics_cli
from omniloom.loadkit import cli as load_cli
from omniloom.scenarios import cli as scenario_cli
from omniloom.seed import cli as seed_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omniloom",
        description="Omnichannel retail commerce backend simulator.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seed_cli.add_commands(subparsers)
    serve_cli.add_commands(subparsers)
    export_cli.add_commands(subparsers)
    analytics_cli.add_commands(subparsers)
    scenario_cli.add_commands(subparsers)
    load_cli.add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except BrokenPipeError:
        # The reader went away (`omniloom attribution … | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return result


if __name__ == "__main__":
    sys.exit(main())
