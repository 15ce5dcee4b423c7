"""The scenario expression language: what it reads, what it refuses."""

from __future__ import annotations

import pytest

from omniloom.scenarios.expressions import ExpressionError, evaluate, names_used, render

SCOPE = {"cart": {"id": "cart_1", "lines": [{"id": "ln_1", "quantity": 2}]}, "n": 3}


def test_paths_read_dict_keys_and_list_items() -> None:
    assert evaluate("cart.lines[0].quantity * n", SCOPE) == 6
    assert evaluate("len(cart.lines) == 1 and cart.id != 'x'", SCOPE) is True


def test_a_lone_placeholder_keeps_its_type_and_text_is_interpolated() -> None:
    assert render({"q": "${n}", "ids": ["${cart.id}"]}, SCOPE) == {"q": 3, "ids": ["cart_1"]}
    assert render("cart ${cart.id} has ${n} things", SCOPE) == "cart cart_1 has 3 things"


def test_json_path_prefix_reads_the_body() -> None:
    assert evaluate("$.lines[0].id", {"body": SCOPE["cart"]}) == "ln_1"


@pytest.mark.parametrize(
    "source",
    ["__import__('os')", "cart.__class__", "open('x')", "[x for x in cart]", "lambda: 1"],
)
def test_nothing_outside_the_subset_parses(source: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(source, SCOPE)


def test_a_missing_key_names_what_was_there() -> None:
    with pytest.raises(ExpressionError, match="no 'total' in"):
        evaluate("cart.total", SCOPE)


def test_names_used_are_the_top_level_names() -> None:
    assert names_used("len(cart.lines) > limit") == {"cart", "limit"}


def test_a_false_comparison_explains_its_sides() -> None:
    from omniloom.scenarios.expressions import explain

    assert explain("len(cart.lines) == 2 and n > 5", SCOPE) == "len(cart.lines) is 1; n is 3"
