import zoneinfo

from django import template

from core.money import format_amount

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    """7500, "usd" -> "75.00 USD" (core.money does the conversion)."""
    if amount is None or not currency:
        return ""
    return f"{format_amount(int(amount), currency)} {currency.upper()}"


@register.filter
def in_zone(value, tz_name):
    """An aware datetime shown on the trainer's wall clock."""
    if value is None:
        return value
    return value.astimezone(zoneinfo.ZoneInfo(tz_name or "UTC"))
