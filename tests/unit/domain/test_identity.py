"""Identifier normal forms, password hashing and the pure cart-merge function."""

from __future__ import annotations

import pytest

from omniloom.domain.carts import MAX_LINE_QUANTITY
from omniloom.domain.errors import InvalidInput
from omniloom.domain.identity import (
    PASSWORD_ALGORITHM,
    IdentifierKind,
    MergedLine,
    MergeStrategy,
    hash_password,
    merge_lines,
    normalise,
    password_matches,
    token_digest,
)

CUSTOMER = {"SKU-MUG": 2, "SKU-TEE-M": 1}
GUEST = {"SKU-MUG": 3, "SKU-LAMP": 4}


@pytest.mark.parametrize(
    ("strategy", "mugs"),
    [
        (MergeStrategy.SUM, 5),
        (MergeStrategy.MAX, 3),
        (MergeStrategy.GUEST_WINS, 3),
        (MergeStrategy.CUSTOMER_WINS, 2),
    ],
)
def test_a_sku_in_both_carts_follows_the_strategy(strategy: MergeStrategy, mugs: int) -> None:
    assert merge_lines(CUSTOMER, GUEST, strategy) == [
        MergedLine("SKU-MUG", mugs, customer_quantity=2, guest_quantity=3),
        MergedLine("SKU-TEE-M", 1, customer_quantity=1, guest_quantity=0),
        MergedLine("SKU-LAMP", 4, customer_quantity=0, guest_quantity=4),
    ]


@pytest.mark.parametrize("strategy", list(MergeStrategy))
def test_lines_in_only_one_cart_are_always_kept(strategy: MergeStrategy) -> None:
    merged = merge_lines({"A": 1}, {"B": 2}, strategy)
    assert [(line.sku, line.quantity) for line in merged] == [("A", 1), ("B", 2)]


@pytest.mark.parametrize("strategy", list(MergeStrategy))
def test_an_empty_cart_on_either_side_changes_nothing(strategy: MergeStrategy) -> None:
    assert [(m.sku, m.quantity) for m in merge_lines(CUSTOMER, {}, strategy)] == list(
        CUSTOMER.items()
    )
    assert [(m.sku, m.quantity) for m in merge_lines({}, GUEST, strategy)] == list(GUEST.items())
    assert merge_lines({}, {}, strategy) == []


def test_sum_never_exceeds_the_line_maximum() -> None:
    merged = merge_lines({"A": MAX_LINE_QUANTITY - 1}, {"A": 5}, MergeStrategy.SUM)
    assert merged[0].quantity == MAX_LINE_QUANTITY


def test_no_line_is_lost_or_duplicated() -> None:
    for strategy in MergeStrategy:
        skus = [line.sku for line in merge_lines(CUSTOMER, GUEST, strategy)]
        assert sorted(skus) == sorted(set(CUSTOMER) | set(GUEST))


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        (IdentifierKind.EMAIL, "  Ada@Example.COM ", "ada@example.com"),
        (IdentifierKind.PHONE, "+1 (555) 010-0100", "+15550100100"),
        (IdentifierKind.PHONE, "0044 20 7946 0958", "+442079460958"),
        (IdentifierKind.PHONE, "(718) 555-3053", "+17185553053"),
        (IdentifierKind.PHONE, "1 718 555 3053", "+17185553053"),
        (IdentifierKind.SOCIAL_HANDLE, "@Ada.Lovelace", "ada.lovelace"),
        (IdentifierKind.LOYALTY_ID, "ln-000123", "LN-000123"),
        (IdentifierKind.DEVICE_ID, "dev-phone-01", "dev-phone-01"),
    ],
)
def test_identifiers_are_stored_in_one_normal_form(
    kind: IdentifierKind, typed: str, stored: str
) -> None:
    assert normalise(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        (IdentifierKind.EMAIL, "not-an-email"),
        (IdentifierKind.PHONE, "12345"),
        (IdentifierKind.PHONE, "+1 555 CALL NOW"),
        (IdentifierKind.SOCIAL_HANDLE, "@has space"),
        (IdentifierKind.DEVICE_ID, "x" * 81),
    ],
)
def test_malformed_identifiers_are_input_errors(kind: IdentifierKind, typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise(kind, typed, "value")
    assert [error.field for error in caught.value.errors] == ["value"]


def test_passwords_hash_with_their_salt_and_compare_in_constant_time() -> None:
    salt = b"0123456789abcdef"
    stored = hash_password("correct horse", salt)
    assert password_matches("correct horse", salt, stored, PASSWORD_ALGORITHM)
    assert not password_matches("correct horsf", salt, stored, PASSWORD_ALGORITHM)
    assert not password_matches("correct horse", b"another salt....", stored, PASSWORD_ALGORITHM)
    assert not password_matches("correct horse", salt, stored, "md5")
    assert hash_password("correct horse", b"another salt....") != stored


def test_tokens_are_stored_as_digests() -> None:
    assert token_digest("abc") != "abc"
    assert len(token_digest("abc")) == 64
