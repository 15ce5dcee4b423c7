"""`omniloom serve`, `omniloom verify` and `omniloom keys`."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Mapping
from typing import Any

import msgspec

from omniloom.cli_support import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError, existing_store, shown
from omniloom.config import Settings, default_pg_pool_size
from omniloom.store import settings_queries

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
DATABASE_HELP = (
    "the store's database (default: $OMNILOOM_DATABASE_URL or sqlite:///var/omniloom.db)"
)


def add_commands(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="Serve the store's API (docs at /docs, OpenAPI at /docs/openapi.json)",
        description="Serve the store's HTTP API on HOST:PORT. The database must hold a store "
        "(`omniloom seed` loads the demo store); its API keys are printed on start.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument(
        "--port", type=_port, default=8000, help="port to listen on; 0 for any free port"
    )
    serve.add_argument("--database-url", default=None, help=DATABASE_HELP)
    serve.add_argument(
        "--log-level", default="warning", choices=LOG_LEVELS, help="the server's log level"
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="server processes; more than one needs PostgreSQL (SQLite has one writer)",
    )
    serve.add_argument(
        "--request-log",
        default=None,
        metavar="FILE",
        help="one JSON line per request to FILE ('-': stderr); default: OMNILOOM_REQUEST_LOG",
    )
    serve.set_defaults(func=_serve)

    check = subparsers.add_parser(
        "verify",
        help="Check the store's invariants; exit 1 if any is broken",
        description="Check what a load test should leave intact: stock equals opening stock "
        "plus the ledger, nothing negative or over-reserved, every paid order's payments add "
        "up. Exit 0 when all hold, 1 when one is broken, 3 when there is no store.",
    )
    check.add_argument("--database-url", default=None, help=DATABASE_HELP)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=_verify)

    keys = subparsers.add_parser(
        "keys",
        help="List the API keys the store accepts",
        description="List the API keys in the store's database: channel, key and scopes.",
    )
    keys.add_argument("--database-url", default=None, help=DATABASE_HELP)
    keys.set_defaults(func=_keys)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    # 0 asks the system for a free port (uvicorn prints the one it got): test harnesses use it.
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0 (any free port) to 65535")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    return Settings.from_env(**overrides)


def _load_keys(settings: Settings) -> list[dict[str, Any]]:
    db = existing_store(settings.database_url)
    try:
        return db.run_blocking(settings_queries.all_api_keys)
    finally:
        asyncio.run(db.close())


def _print_keys(rows: list[dict[str, Any]]) -> None:
    for row in sorted(rows, key=lambda r: (r["channel"], r["key"])):
        print(f"  {row['channel']:<10} {row['key']:<24} {', '.join(row['scopes'])}")


def _keys(args: argparse.Namespace) -> int:
    _print_keys(_load_keys(_settings(args)))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from omniloom.api.app import create_app

    if args.request_log:
        os.environ["OMNILOOM_REQUEST_LOG"] = args.request_log
    settings = _settings(args)
    # The embedded store keeps stock and promotions in memory because it is the only writer;
    # several processes on one SQLite file would each trust a stale copy.
    if args.workers > 1 and not settings.database_url.startswith(("postgresql", "postgres")):
        raise CliError(
            "--workers needs PostgreSQL: the embedded SQLite store has a single writer.", EXIT_USAGE
        )
    keys = _load_keys(settings)
    base = f"http://{args.host}:{args.port}"
    print(f"omniloom serving {shown(settings.database_url)}")
    print(f"  API docs   {base}/docs  (Swagger UI; Scalar: {base}/docs/scalar; both offline)")
    print(f"  OpenAPI    {base}/docs/openapi.json")
    print(f"  health     {base}/health")
    print("  API keys (send as X-API-Key):")
    _print_keys(keys)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
    }
    if args.workers > 1:
        os.environ.update(worker_environment(settings.database_url, args.workers, os.environ))
        uvicorn.run("omniloom.api.app:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(settings, serving=True), **options)
    return EXIT_OK


def worker_environment(
    database_url: str, workers: int, environ: Mapping[str, str]
) -> dict[str, str]:
    """What `serve --workers N` puts in the environment its worker processes read settings from."""
    updates = {"OMNILOOM_DATABASE_URL": database_url}
    if "OMNILOOM_PG_POOL_SIZE" not in environ:
        updates["OMNILOOM_PG_POOL_SIZE"] = str(default_pg_pool_size(workers))
    return updates


def _verify(args: argparse.Namespace) -> int:
    from omniloom.services.admin.verify import verify

    db = existing_store(_settings(args).database_url)
    try:
        report = db.run_blocking(verify)
    finally:
        asyncio.run(db.close())
    if args.json:
        print(msgspec.json.encode(report).decode())
    else:
        for check in report.checks:
            mark = "ok  " if check.ok else "FAIL"
            print(f"{mark} {check.name:<26} {check.description}")
            for example in check.examples:
                print(f"       {example}")
        print("store verified" if report.ok else "store NOT consistent")
    return EXIT_OK if report.ok else EXIT_FAILED
