"""The rules of a trainer's profile and week, for every front door: the API's serializers and the
pages' forms both call these. Each returns the clean value or raises Django's ValidationError
with a message for the trainer."""

import datetime as dt
import re

from django.core.exceptions import ValidationError

from bookings.services import MIN_DURATION_MINUTES
from core.money import MIN_CHARGE, SUPPORTED_CURRENCIES, AmountError, format_amount, parse_amount
from trainers.choices import timezone_names

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# How many of each tag a profile may list, and weekly windows a week may hold.
MAX_SPECIALTIES = 20
MAX_LANGUAGES = 10
MAX_WINDOWS = 70
# A date may be changed (a day off, extra hours) from the trainer's today to this far ahead.
OVERRIDE_DAYS_AHEAD = 366


def tags_clean(value: list[str], allowed: dict, what: str) -> list[str]:
    """Tags from outside, matched case-insensitively against a fixed list, de-duplicated."""
    tags = [t.strip().lower() for t in value]
    if any(not t for t in tags):
        raise ValidationError(f"{what.capitalize()} cannot be blank.")
    unknown = [t for t in tags if t not in allowed]
    if unknown:
        raise ValidationError(
            f"Unknown {what} '{unknown[0]}'. Use one of: {', '.join(allowed)} "
            "(GET /api/v1/trainers/choices/)."
        )
    return list(dict.fromkeys(tags))


def timezone_clean(value: str) -> str:
    if value not in timezone_names():
        raise ValidationError(
            f"'{value}' is not a time zone of the list (IANA names such as "
            "'Europe/London'; GET /api/v1/trainers/choices/)."
        )
    return value


def currency_clean(value: str) -> str:
    value = value.lower()
    if value not in SUPPORTED_CURRENCIES:
        raise ValidationError(f"Use one of: {', '.join(SUPPORTED_CURRENCIES)}.")
    return value


def hourly_rate_clean(value: str | int, currency: str) -> int:
    """A rate as written ("75.00") in minor units of `currency`, high enough that the shortest
    session costs at least what a card can be charged."""
    try:
        rate = parse_amount(value, currency)
    except AmountError as e:
        raise ValidationError(str(e)) from None
    # Exact, before rounding: the shortest session must cost at least what Stripe can charge.
    lowest = -(-MIN_CHARGE[currency] * 60 // MIN_DURATION_MINUTES)
    if rate < lowest:
        smallest = format_amount(MIN_CHARGE[currency], currency)
        raise ValidationError(
            f"The price per hour must be at least {format_amount(lowest, currency)} "
            f"{currency.upper()}: a {MIN_DURATION_MINUTES}-minute session must cost at least the "
            f"smallest amount a card can be charged, {smallest} {currency.upper()}."
        )
    return rate


def hhmm_clean(value: str) -> dt.time:
    if not HHMM.match(value):
        raise ValidationError('Use 24-hour "HH:MM", e.g. "09:30".')
    return dt.time(int(value[:2]), int(value[3:]))


def override_date_clean(value: dt.date, *, today: dt.date) -> dt.date:
    """A date a trainer may change: not past in their zone (`today` is their local date), at
    most a year ahead."""
    if value < today:
        raise ValidationError("This date has already passed in your time zone.")
    if value > today + dt.timedelta(days=OVERRIDE_DAYS_AHEAD):
        raise ValidationError("Dates can be changed at most a year ahead.")
    return value
