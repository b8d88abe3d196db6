"""Forms of the visitor's and client's pages: the directory's filters, the week view, the
confirmation step, a reschedule and a review. Query strings are outside input like any form:
a bad one gets a message next to its field and a 400, never a 500."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils import timezone

from reviews.services import MAX_COMMENT_LENGTH
from trainers.choices import SPECIALTIES
from web.forms import DURATION_CHOICES, TextAreaField

SORTS = [
    ("", "Recommended"),
    ("rating", "Highest rated"),
    ("price", "Lowest price"),
    ("-price", "Highest price"),
    ("soonest", "Soonest available"),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ISO_INSTANT = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ"]


def _price(value: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise forms.ValidationError("Enter a price such as 80 or 80.00.") from None
    if not price.is_finite() or price <= 0 or price >= 10**7:
        raise forms.ValidationError("Enter a price greater than zero.")
    return price


class DirectoryForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    specialty = forms.ChoiceField(
        required=False, choices=[("", "Any specialty"), *SPECIALTIES.items()]
    )
    min_rate = forms.CharField(required=False, max_length=12, label="Min price per hour")
    max_rate = forms.CharField(required=False, max_length=12, label="Max price per hour")
    day = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT, label="Free on"
    )
    sort = forms.ChoiceField(required=False, choices=SORTS, label="Sort by")

    def clean_min_rate(self):
        return _price(self.cleaned_data["min_rate"])

    def clean_max_rate(self):
        return _price(self.cleaned_data["max_rate"])

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day is None:
            return None
        today = timezone.now().date()
        horizon = settings.BOOKING_MAX_DAYS_AHEAD
        # A day either side: "today" is yesterday or tomorrow in UTC for some zones.
        if not today - dt.timedelta(days=1) <= day <= today + dt.timedelta(days=horizon):
            raise forms.ValidationError(f"Pick a day within the next {horizon} days.")
        return day

    def clean(self):
        data = super().clean()
        low, high = data.get("min_rate"), data.get("max_rate")
        if low is not None and high is not None and low > high:
            self.add_error("max_rate", "The maximum price is below the minimum.")
        return data


class WeekForm(forms.Form):
    """The trainer page's week view: which week (its first day, on the viewer's clock) and the
    session's length."""

    week = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    duration = forms.TypedChoiceField(
        choices=DURATION_CHOICES, coerce=int, required=False, empty_value=60, label="Length"
    )


def _bookable_instant(start: dt.datetime) -> dt.datetime:
    """An aware instant within the bookable range, give or take a day. Further out it could be
    no slot anyway, and near year 1 or 9999 converting it to a trainer's zone would overflow."""
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    now = timezone.now()
    margin = dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD + 1)
    if not now - dt.timedelta(days=1) <= start <= now + margin:
        raise forms.ValidationError("That time is not one we offer.")
    return start


class SlotForm(forms.Form):
    """A picked time: an instant with its offset ("2027-03-15T10:00:00Z") and a length."""

    start = forms.DateTimeField(input_formats=ISO_INSTANT)
    duration = forms.TypedChoiceField(choices=DURATION_CHOICES, coerce=int)

    def clean_start(self):
        return _bookable_instant(self.cleaned_data["start"])


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(input_formats=ISO_INSTANT)

    def clean_start(self):
        return _bookable_instant(self.cleaned_data["start"])


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        label="Your rating",
    )
    comment = TextAreaField(
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment (optional)",
    )
