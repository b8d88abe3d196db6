from decimal import Decimal

import pytest

from core.money import AmountError, format_amount, parse_amount, percentage_of


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(7500, "usd", "75.00"), (1, "usd", "0.01"), (0, "eur", "0.00"), (500, "jpy", "500")],
)
def test_it_formats_minor_units_as_decimal_strings(minor, currency, text):
    assert format_amount(minor, currency) == text


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("75.00", "usd", 7500),
        ("75", "usd", 7500),
        (75, "usd", 7500),
        ("0.5", "usd", 50),
        (" 12.3 ", "eur", 1230),
        ("500", "jpy", 500),
    ],
)
def test_it_parses_decimal_strings_into_minor_units(value, currency, minor):
    assert parse_amount(value, currency) == minor


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        (75.0, "usd", "decimal string"),
        (True, "usd", "decimal string"),
        (None, "usd", "decimal string"),
        ("abc", "usd", "not a valid amount"),
        ("NaN", "usd", "not a valid amount"),
        ("Infinity", "usd", "not a valid amount"),
        ("1.001", "usd", "more than 2 decimal places"),
        ("5.5", "jpy", "more than 0 decimal places"),
        ("0", "usd", "greater than zero"),
        ("-1.00", "usd", "greater than zero"),
        ("1000000.00", "usd", "too large"),
        # Beyond the decimal context's exponent limits: Overflow (a 500), or rounded to 0 cents.
        ("1e999999999", "usd", "too large"),
        ("-1e999999999", "usd", "greater than zero"),
        ("1e-999999999", "usd", "more than 2 decimal places"),
        ("1e-999999999", "jpy", "more than 0 decimal places"),
        ("1.00", "xyz", "Unsupported currency"),
        # Decimal() reads other scripts' digits and underscores; an amount is ASCII digits.
        ("\u0667\u0665.00", "usd", "digits 0-9"),
        ("\uff17\uff15", "usd", "digits 0-9"),
        ("7_5.00", "usd", "digits 0-9"),
        ("75.00\u00b2", "usd", "digits 0-9"),
    ],
)
def test_it_refuses_odd_amounts_with_a_message(value, currency, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(value, currency)


@pytest.mark.parametrize(
    ("minor", "percent", "share"),
    [
        (7500, "15", 1125),
        (7550, "15", 1133),
        (3750, "15", 563),
        (1, "15", 0),
        (10, "15", 2),
        (7500, "0", 0),
        (7500, "100", 7500),
        (3333, "12.5", 417),
    ],
)
def test_percentages_round_half_up_to_the_minor_unit(minor, percent, share):
    assert percentage_of(minor, Decimal(percent)) == share
