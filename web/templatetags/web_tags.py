import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import format_html

from core.money import format_amount
from core.times import day_text, reads_differently, session_times, span_text, zone, zone_label
from reviews.selectors import trainer_rating
from trainers.choices import LANGUAGES, SPECIALTIES

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    """7500, "usd" -> "75.00 USD" (core.money does the conversion)."""
    if amount is None or not currency:
        return ""
    return f"{format_amount(int(amount), currency)} {currency.upper()}"


def _viewer_zone(context) -> str | None:
    user = context.get("user")
    return user.timezone if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def session_when(context, booking, short=False):
    """The session on the trainer's clock, and on the viewer's own below it when that reads
    differently (core.times formats both; Django's date filter would convert them back)."""
    there, mine = session_times(
        booking.start_time,
        booking.end_time,
        booking.trainer.timezone,
        _viewer_zone(context),
        short=short,
    )
    html = format_html('<span class="when" data-testid="when">{}</span>', there)
    if mine:
        html += format_html(
            '<span class="when-yours" data-testid="when-yours">Your time: {}</span>', mine
        )
    return html


@register.simple_tag(takes_context=True)
def slot_label(context, start: dt.datetime, trainer_zone: str):
    """A start time on the trainer's clock, with the viewer's below it when that differs."""
    there = zone(trainer_zone)
    local = start.astimezone(there)
    html = format_html("{}", f"{local:%H:%M}")
    viewer = _viewer_zone(context)
    if viewer and reads_differently(start, there, zone(viewer)):
        mine = start.astimezone(zone(viewer))
        # The day only when it is another one than the trainer's.
        text = f"{mine:%H:%M}" if mine.date() == local.date() else f"{mine:%a %H:%M}"
        html += format_html('<small class="yours">{} yours</small>', text)
    return html


@register.filter
def utc_iso(value: dt.datetime) -> str:
    """An instant for a form value: "2027-03-15T10:00:00Z" whatever zone the page is in."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def trainer_day(booking) -> str:
    """The session's date on the trainer's clock, "15 Mar" (for link labels)."""
    start = booking.start_time.astimezone(zone(booking.trainer.timezone))
    return f"{start.day} {start:%b}"


@register.filter
def specialty_label(slug: str) -> str:
    return SPECIALTIES.get(slug, slug)


@register.filter
def language_label(code: str) -> str:
    return LANGUAGES.get(code, code)


@register.filter
def rating(trainer) -> Decimal | None:
    """The trainer's average of visible reviews ("4.67"), from the directory's annotations."""
    return trainer_rating(
        rating_sum=getattr(trainer, "rating_sum", 0) or 0,
        review_count=getattr(trainer, "review_count", 0) or 0,
    )


@register.simple_tag
def free_time(start: dt.datetime | None, viewer_zone: str | None, trainer_zone: str) -> str:
    """A free start on the viewer's clock ("Tue 8 Dec, 09:00"), else on the trainer's with its
    zone named; "" for none."""
    if start is None:
        return ""
    local = start.astimezone(zone(viewer_zone or trainer_zone))
    text = f"{day_text(local, short=True)}, {local:%H:%M}"
    return text if viewer_zone else f"{text} {zone_label(local)}"


@register.simple_tag
def session_span(start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    """ "Monday 15 March 2027, 06:00-07:00 EDT (America/New_York)" on that zone's clock."""
    return span_text(start, end, zone(zone_name))
