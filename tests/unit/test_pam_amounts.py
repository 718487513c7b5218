"""Exact conversion between the contract's decimal amounts and the wallet's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruby_wallet.pam import amounts
from ruby_wallet.pam.amounts import MAX_MINOR, AmountError, UnknownCurrency, from_minor, to_minor


@pytest.mark.parametrize(
    ("currency", "places"), [("KRW", 0), ("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4)]
)
def test_exponents_are_iso_4217(currency, places):
    assert amounts.exponent(currency) == places


def test_currencies_without_a_minor_unit_are_not_known():
    for code in ("XAU", "XAG", "XDR", "XTS", "XXX", "ABC", "usd", ""):
        with pytest.raises(UnknownCurrency):
            amounts.exponent(code)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.30", "USD", 1230),
        ("12.300000", "USD", 1230),  # Valkyrie writes six decimals
        ("12.3", "USD", 1230),
        ("0.01", "USD", 1),
        ("5000", "KRW", 5000),
        ("5000.000000", "KRW", 5000),
        ("1.234", "KWD", 1234),
        ("0.0001", "CLF", 1),
        ("0", "USD", 0),
        ("0.000000", "EUR", 0),
        ("1E+2", "USD", 10000),
        ("-2.50", "EUR", -250),
        ("10000000000000.00", "USD", MAX_MINOR),
    ],
)
def test_whole_minor_units_convert_exactly(text, currency, minor):
    assert to_minor(Decimal(text), currency) == minor


def test_ints_convert():
    assert to_minor(12, "USD") == 1200
    assert to_minor(0, "KRW") == 0


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        (Decimal("12.345"), "USD"),
        (Decimal("0.5"), "KRW"),
        (Decimal("1.0001"), "KWD"),
        (Decimal("0.000001"), "EUR"),
        # 31 significant digits: a 28-digit decimal context would round this to a whole cent
        (Decimal("1.000000000000000000000000000001"), "USD"),
        (Decimal("1E-999999999"), "USD"),
    ],
)
def test_fractions_of_a_minor_unit_are_refused_never_rounded(value, currency):
    with pytest.raises(AmountError, match="whole number"):
        to_minor(value, currency)


@pytest.mark.parametrize(
    "value", [Decimal("10000000000000.01"), Decimal("1E+999999999"), Decimal("1" + "0" * 80), -(MAX_MINOR + 1)]
)
def test_amounts_past_the_ceiling_are_refused(value):
    with pytest.raises(AmountError):
        to_minor(value, "USD")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), True, 1.5, "12.30"])
def test_non_numbers_and_floats_are_refused(value):
    with pytest.raises(AmountError):
        to_minor(value, "USD")


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1230, "USD", "12.30"),
        (0, "USD", "0.00"),
        (5, "USD", "0.05"),
        (5000, "KRW", "5000"),
        (1230, "KWD", "1.230"),
        (0, "KWD", "0.000"),
        (1, "CLF", "0.0001"),
        (-250, "EUR", "-2.50"),
        (10**17, "EUR", "1000000000000000.00"),
    ],
)
def test_minor_units_are_written_with_the_currencys_decimals(minor, currency, text):
    written = from_minor(minor, currency)
    assert str(written) == text
    if abs(minor) <= MAX_MINOR:
        assert to_minor(written, currency) == minor


@given(st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR), st.sampled_from(sorted(amounts.EXPONENTS)))
def test_round_trip_at_any_size(minor, currency):
    assert to_minor(from_minor(minor, currency), currency) == minor


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9))
def test_a_six_decimal_amount_converts_iff_it_is_whole_cents(value):
    whole = value * 100 == (value * 100).to_integral_value()
    try:
        minor = to_minor(value, "USD")
    except AmountError:
        assert not whole
    else:
        assert whole and Decimal(minor) == value * 100
