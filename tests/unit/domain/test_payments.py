import pytest

from omniloom.domain.errors import InvalidInput, PaymentDeclined
from omniloom.domain.payments import DECLINES, charge_card, luhn_valid


@pytest.mark.parametrize("number", ["4242424242424242", "5555555555554444", *DECLINES])
def test_documented_numbers_pass_the_luhn_check(number: str) -> None:
    assert luhn_valid(number)


def test_approved_card_reports_brand_and_last_four() -> None:
    charge = charge_card("4242 4242 4242 4242", 1_999)
    assert (charge.brand, charge.last4, charge.amount) == ("visa", "4242", 1_999)
    assert charge_card("5555-5555-5555-4444", 5).brand == "mastercard"


@pytest.mark.parametrize(("number", "code"), [(n, c) for n, (c, _) in DECLINES.items()])
def test_magic_numbers_decline_with_their_code(number: str, code: str) -> None:
    with pytest.raises(PaymentDeclined) as caught:
        charge_card(number, 100)
    assert caught.value.code == code
    assert caught.value.status == 402


@pytest.mark.parametrize("number", ["4242424242424241", "abcd", "42", "4" * 25])
def test_invalid_numbers_are_input_errors_naming_the_field(number: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        charge_card(number, 100)
    assert [e.field for e in caught.value.errors] == ["payment.card_number"]
