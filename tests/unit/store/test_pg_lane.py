"""The one statement that carries a unit's held-back writes on PostgreSQL."""

from __future__ import annotations

from omniloom.store.pg_lane import Pending, combined

INSERT = "INSERT INTO events (id, type) VALUES ($1::VARCHAR, $2::VARCHAR)"
RESERVE = (
    "UPDATE inventory SET reserved=(inventory.reserved + $1::INTEGER) WHERE inventory.sku = "
    "$2::VARCHAR AND inventory.on_hand - inventory.reserved >= $1::INTEGER"
)


def _pending(sql: str, rows: list[tuple[object, ...]], guard: bool = False) -> Pending:
    kind = "update" if guard else "insert"
    return Pending(sql, frozenset({"x"}), kind, list(rows), guard)


def test_a_lone_insert_is_sent_as_it_is() -> None:
    sql, args = combined([_pending(INSERT, [("e1", "a")])])
    assert (sql, args) == (INSERT, ["e1", "a"])


def test_writes_and_guards_become_one_statement_that_fails_unless_each_guard_touched_a_row() -> (
    None
):
    sql, args = combined(
        [
            _pending(INSERT, [("e1", "a"), ("e2", "b")]),
            _pending(RESERVE, [(1, "SKU-B")], guard=True),
            _pending(RESERVE, [(2, "SKU-A")], guard=True),
            Pending("pg_notify", frozenset(), "notify", [("changes", "[]")], False),
        ]
    )
    assert sql == (
        "WITH w0 AS (INSERT INTO events (id, type) VALUES ($1::VARCHAR, $2::VARCHAR), "
        "($3::VARCHAR, $4::VARCHAR)), "
        "w1 AS (UPDATE inventory SET reserved=(inventory.reserved + $5::INTEGER) WHERE "
        "inventory.sku = $6::VARCHAR AND inventory.on_hand - inventory.reserved >= $5::INTEGER "
        "RETURNING 1), "
        "w2 AS (UPDATE inventory SET reserved=(inventory.reserved + $7::INTEGER) WHERE "
        "inventory.sku = $8::VARCHAR AND inventory.on_hand - inventory.reserved >= $7::INTEGER "
        "RETURNING 1) "
        "SELECT 1 / ((SELECT count(*) FROM w1) = 1 AND (SELECT count(*) FROM w2) = 1)::int, "
        "pg_notify($9::text, $10::text)"
    )
    # Guards in the order of their values (SKU-A's first), so units lock rows in one order.
    assert args == ["e1", "a", "e2", "b", 2, "SKU-A", 1, "SKU-B", "changes", "[]"]
