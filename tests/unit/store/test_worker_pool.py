"""`serve --workers N` shares one budget of PostgreSQL connections among its workers."""

from omniloom.config import PG_CONNECTIONS_PER_SERVE
from omniloom.serve_cli import worker_environment

PG_URL = "postgresql://postgres@127.0.0.1:5432/shop"


def test_workers_split_the_connection_budget() -> None:
    env = worker_environment(PG_URL, 2, {})
    assert env == {"OMNILOOM_DATABASE_URL": PG_URL, "OMNILOOM_PG_POOL_SIZE": "5"}
    assert int(env["OMNILOOM_PG_POOL_SIZE"]) * 2 == PG_CONNECTIONS_PER_SERVE


def test_many_workers_keep_two_connections_each() -> None:
    assert worker_environment(PG_URL, 16, {})["OMNILOOM_PG_POOL_SIZE"] == "2"


def test_a_pool_size_the_operator_set_is_kept() -> None:
    env = worker_environment(PG_URL, 4, {"OMNILOOM_PG_POOL_SIZE": "12"})
    assert "OMNILOOM_PG_POOL_SIZE" not in env
