"""`omniloom serve` and `omniloom keys`."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

import msgspec

from omniloom.config import Settings
from omniloom.store import settings_queries
from omniloom.store.database import open_database


def add_commands(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="Serve the store's API on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--database-url", default=None, help="default: OMNILOOM_DATABASE_URL")
    serve.add_argument("--log-level", default="warning")
    serve.add_argument(
        "--workers",
        type=int,
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
        "verify", help="Check the store's invariants; exit 1 if any is broken"
    )
    check.add_argument("--database-url", default=None)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=_verify)

    keys = subparsers.add_parser("keys", help="List the API keys the store accepts")
    keys.add_argument("--database-url", default=None)
    keys.set_defaults(func=_keys)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    return Settings.from_env(**overrides)


def _load_keys(settings: Settings) -> list[dict[str, Any]]:
    db = open_database(settings.database_url)
    try:
        return db.run_blocking(settings_queries.all_api_keys)
    finally:
        asyncio.run(db.close())


def _print_keys(rows: list[dict[str, Any]]) -> None:
    for row in sorted(rows, key=lambda r: (r["channel"], r["key"])):
        print(f"  {row['channel']:<10} {row['key']:<24} {', '.join(row['scopes'])}")


def _keys(args: argparse.Namespace) -> int:
    _print_keys(_load_keys(_settings(args)))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from omniloom.api.app import create_app

    if args.request_log:
        os.environ["OMNILOOM_REQUEST_LOG"] = args.request_log
    settings = _settings(args)
    # The embedded store keeps stock and promotions in memory because it is the only writer;
    # several processes on one SQLite file would each trust a stale copy.
    if args.workers > 1 and not settings.database_url.startswith(("postgresql", "postgres")):
        print("--workers needs PostgreSQL: the embedded SQLite store has a single writer.")
        return 2
    try:
        keys = _load_keys(settings)
    except Exception:
        keys = []
    if not keys:
        print("The database holds no store yet; run `omniloom seed` first.")
        return 2
    base = f"http://{args.host}:{args.port}"
    print(f"omniloom serving {settings.database_url}")
    print(f"  API docs   {base}/docs  (Swagger UI, works offline; Scalar: {base}/docs/scalar)")
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
        os.environ["OMNILOOM_DATABASE_URL"] = settings.database_url
        uvicorn.run("omniloom.api.app:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(settings, serving=True), **options)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from omniloom.services.admin.verify import verify

    settings = _settings(args)
    db = open_database(settings.database_url)
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
    return 0 if report.ok else 1
