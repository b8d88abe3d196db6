"""Money rules, written down once.

Amounts are integers of the currency's minor unit (cents for usd) everywhere inside FitConnect.
Decimal strings ("75.00") exist only at the API edge: `format_amount` on the way out,
`parse_amount` on the way in. Floats never touch money.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Currencies FitConnect accepts, with their number of decimals (Stripe's "zero-decimal" currencies
# have 0). Extend this table to accept a new currency; nothing else hard-codes decimals.
CURRENCY_DECIMALS = {"usd": 2, "eur": 2, "gbp": 2, "cad": 2, "aud": 2, "jpy": 0}
SUPPORTED_CURRENCIES = sorted(CURRENCY_DECIMALS)

# Stripe's upper limit for a single charge in minor units (8 digits).
MAX_AMOUNT = 99_999_999
# Stripe's smallest charge per currency, in minor units: Stripe refuses a payment below it.
MIN_CHARGE = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50}

# What an amount may look like: ASCII digits, one point, an exponent. Decimal() alone also
# reads other scripts' digits (Arabic-Indic, full-width) and underscores ("7_5"), which nobody
# means as an amount.
AMOUNT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class AmountError(ValueError):
    """An amount from outside that we refuse; the message is safe to show to the caller."""


def decimals(currency: str) -> int:
    try:
        return CURRENCY_DECIMALS[currency.lower()]
    except KeyError:
        raise AmountError(f"Unsupported currency '{currency}'.") from None


def format_amount(minor: int, currency: str) -> str:
    """12345, "usd" -> "123.45"; 500, "jpy" -> "500"."""
    places = decimals(currency)
    value = Decimal(minor).scaleb(-places)
    return f"{value:.{places}f}"


def parse_amount(value, currency: str) -> int:
    """Parse a positive decimal amount from outside into minor units, refusing anything odd.

    Accepts strings and integers ("75.00", "75", 75). Refuses floats (they cannot carry cents
    exactly), negatives, zero, NaN/Infinity and more decimals than the currency has.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise AmountError('Amount must be a decimal string such as "75.00".')
    text = str(value).strip()
    if not AMOUNT_TEXT.fullmatch(text):
        raise AmountError(f"'{value}' is not a valid amount: use digits 0-9, such as 75.00.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise AmountError(f"'{value}' is not a valid amount.") from None
    if not amount.is_finite():
        raise AmountError(f"'{value}' is not a valid amount.")
    places = decimals(currency)
    # Bounds by plain comparison first: normalize() and scaleb() work within the decimal context,
    # which raises Overflow for "1e999999999" (a 500) and rounds "1e-999999999" down to 0 cents.
    if amount > MAX_AMOUNT:
        raise AmountError("Amount is too large.")
    if 0 < amount < Decimal(1).scaleb(-places):
        raise AmountError(f"Amount has more than {places} decimal places for {currency.upper()}.")
    if amount < -MAX_AMOUNT:
        raise AmountError("Amount must be greater than zero.")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise AmountError(f"Amount has more than {places} decimal places for {currency.upper()}.")
    if amount <= 0:
        raise AmountError("Amount must be greater than zero.")
    minor = int(amount.scaleb(places))
    if minor > MAX_AMOUNT:
        raise AmountError("Amount is too large.")
    return minor


def percentage_of(minor: int, percent: Decimal) -> int:
    """`percent` % of `minor`, rounded half-up to the minor unit (15% of 7550 -> 1133)."""
    return int((Decimal(minor) * Decimal(percent) / 100).quantize(Decimal(1), ROUND_HALF_UP))
