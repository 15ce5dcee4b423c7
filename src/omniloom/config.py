"""Settings, read from the environment once, in the composition root (app factory or CLI)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_DATABASE_URL = "sqlite:///var/omniloom.db"
# PostgreSQL connections one `omniloom serve` keeps open, shared among its worker processes
# unless OMNILOOM_PG_POOL_SIZE says otherwise: on a machine where server and database share
# the cores, more connections only add contention (2 workers with 5 each served 10 - 20 % more
# checkouts than with 10 each; benchmarks/bench_api.py).
PG_CONNECTIONS_PER_SERVE = 10


def default_pg_pool_size(workers: int) -> int:
    """Each worker's share of the connections one `omniloom serve` keeps (at least 2)."""
    return max(2, PG_CONNECTIONS_PER_SERVE // workers)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Seeded mode derives every generated id from this seed and a sequence, so a replay of the
    # same requests yields the same ids. None means ids are random.
    id_seed: int | None = 42
    # "system" follows the wall clock; "simulated" starts frozen at `clock_start`.
    clock_mode: str = "simulated"
    clock_start: datetime = field(
        default_factory=lambda: datetime.fromisoformat("2026-11-02T09:00:00+00:00")
    )
    # "checkout" reserves stock when the order is placed; "add_to_cart" reserves on add, for TTL.
    reservation_policy: str = "checkout"
    reservation_ttl: timedelta = timedelta(minutes=15)
    max_body_bytes: int = 64 * 1024
    # A pickup order nobody collects within this long is cancelled, its stock released and
    # its payment refunded.
    pickup_no_show: timedelta = timedelta(days=7)
    # How long after an order its units may come back, on the simulated clock.
    return_window: timedelta = timedelta(days=30)
    # A return without a receipt is credited at the lowest price the SKU sold for this far back.
    receiptless_lookback_days: int = 30
    # How long a customer's sign-in token lasts, on the simulated clock.
    customer_token_ttl: timedelta = timedelta(days=7)
    # Where shipped orders come from: a rule in omniloom.domain.routing.RULES.
    routing_rule: str = "dc_then_nearest_store"
    # Keys the cart and order tokens (omniloom.services.kernel.access_key); None: from the seed,
    # or a random key kept in the store when ids are random.
    secret_key: str | None = None
    # The request log (api/request_log.py): a file, "-" for stderr, "" for off.
    request_log: str = ""
    # PostgreSQL connections each server process keeps open (and never more: a connection
    # opened for a burst and closed after it costs a connect and every statement's prepare).
    pg_pool_size: int = PG_CONNECTIONS_PER_SERVE

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        seed = _env("OMNILOOM_ID_SEED", "42")
        values: dict[str, object] = {
            "database_url": _env("OMNILOOM_DATABASE_URL", DEFAULT_DATABASE_URL),
            "id_seed": None if seed.lower() in {"", "none", "random"} else int(seed),
            "clock_mode": _env("OMNILOOM_CLOCK", "simulated"),
            "clock_start": datetime.fromisoformat(
                _env("OMNILOOM_CLOCK_START", "2026-11-02T09:00:00+00:00")
            ),
            "reservation_policy": _env("OMNILOOM_RESERVATION_POLICY", "checkout"),
            "reservation_ttl": timedelta(
                seconds=int(_env("OMNILOOM_RESERVATION_TTL_SECONDS", "900"))
            ),
            "pickup_no_show": timedelta(days=int(_env("OMNILOOM_PICKUP_NO_SHOW_DAYS", "7"))),
            "receiptless_lookback_days": int(_env("OMNILOOM_RECEIPTLESS_LOOKBACK_DAYS", "30")),
            "customer_token_ttl": timedelta(
                seconds=int(_env("OMNILOOM_CUSTOMER_TOKEN_TTL_SECONDS", str(7 * 86_400)))
            ),
            "routing_rule": _env("OMNILOOM_ROUTING_RULE", "dc_then_nearest_store"),
            "secret_key": os.environ.get("OMNILOOM_SECRET_KEY") or None,
            "request_log": _env("OMNILOOM_REQUEST_LOG", ""),
            "pg_pool_size": int(_env("OMNILOOM_PG_POOL_SIZE", str(PG_CONNECTIONS_PER_SERVE))),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
