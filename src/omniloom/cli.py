"""The one `omniloom` command.

Each command group lives beside the code it drives and registers its own sub-commands through an
``add_commands(subparsers)`` function, so this module only composes them, gives every command
its description and defaults in ``--help``, and turns any failure into one line and an exit code
(see cli_support).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from omniloom import __version__, export_cli, flows_cli, serve_cli
from omniloom.analytics import cli as analytics_cli
from omniloom.cli_support import EXIT_FAILED, EXIT_USAGE, CliError
from omniloom.loadkit import cli as load_cli
from omniloom.scenarios import cli as scenario_cli
from omniloom.seed import cli as seed_cli

DEBUG_ENV = "OMNILOOM_DEBUG"  # set to see the traceback of an unexpected error


class _HelpFormatter(argparse.HelpFormatter):
    """Shows each option's default, unless its help names it already or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = default not in (None, False, argparse.SUPPRESS) and not isinstance(default, bool)
        if shown and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omniloom",
        description="Omnichannel retail commerce backend simulator.",
        epilog="Exit codes: 0 done, 1 failed (verify: store not consistent), 2 bad command "
        "line or file, 3 no store (missing or never seeded).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"omniloom {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seed_cli.add_commands(subparsers)
    serve_cli.add_commands(subparsers)
    export_cli.add_commands(subparsers)
    analytics_cli.add_commands(subparsers)
    scenario_cli.add_commands(subparsers)
    load_cli.add_commands(subparsers)
    flows_cli.add_commands(subparsers)
    _describe(subparsers)
    return parser


def _describe(subparsers: Any) -> None:
    """Every command's --help opens with what it does (its one-line help, when it has no
    description of its own) and shows its options' defaults, nested commands included."""
    helps = {action.dest: action.help for action in subparsers._choices_actions}
    for name, sub in subparsers.choices.items():
        sub.formatter_class = _HelpFormatter
        if not sub.description and helps.get(name):
            text = helps[name]
            sub.description = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe(action)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = f"omniloom {args.command}"
    try:
        result: int = args.func(args)
    except BrokenPipeError:
        # The reader went away (`omniloom attribution … | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except CliError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.code
    except OSError as exc:
        # A file or directory named on the command line that cannot be read or written.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{name}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        text = str(exc).strip().splitlines()
        print(f"{name}: error: {text[0] if text else type(exc).__name__}", file=sys.stderr)
        return EXIT_FAILED
    return result


if __name__ == "__main__":
    sys.exit(main())
