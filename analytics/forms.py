import datetime as dt

from django import forms
from django.utils import timezone

from analytics.selectors import BUCKETS, MAX_RANGE_DAYS, TRAINER_SORTS

DEFAULT_DAYS = 30
# end + 1 day must stay a valid date, and nothing older than the platform is worth a scan.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class _SummaryFilter(forms.Form):
    """The period and options of the analytics summary, shared by the dashboard and the API.

    Both dates are optional: without them the last 30 days (UTC) up to today are shown.
    """

    field_order = ["from", "to", "bucket", "sort", "top"]

    bucket = forms.ChoiceField(
        label="Group by", required=False, choices=[(b, b.title()) for b in BUCKETS]
    )
    top = forms.IntegerField(
        label="Top trainers",
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"placeholder": "10"}),
    )
    sort = forms.ChoiceField(
        label="Rank trainers by",
        required=False,
        choices=list(
            zip(TRAINER_SORTS, ("Gross", "Net (payouts after refunds)", "Payments"), strict=True)
        ),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.now().astimezone(dt.UTC).date()
        end = data.get("to") or today
        if not EARLIEST <= end <= LATEST:
            # Before "from" defaults to 30 days earlier: 0001-01-01 minus 29 days overflows (500).
            self.add_error("to", f"Dates must be between {EARLIEST} and {LATEST}.")
            return data
        start = data.get("from") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        for name, day in (("from", start), ("to", end)):
            if not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Dates must be between {EARLIEST} and {LATEST}.")
        if self.errors:
            return data
        if start > end:
            self.add_error("from", "'from' must be on or before 'to'.")
        elif (end - start).days >= MAX_RANGE_DAYS:
            self.add_error("to", f"The period may span at most {MAX_RANGE_DAYS} days.")
        data.update(
            {
                "from": start,
                "to": end,
                "bucket": data.get("bucket") or "day",
                "top": data.get("top") or 10,
                "sort": data.get("sort") or "gross",
            }
        )
        return data

    def summary_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "start": d["from"],
            "end": d["to"],
            "bucket": d["bucket"],
            "top": d["top"],
            "sort": d["sort"],
        }


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


# "from" is a Python keyword, so the form class is built with the query parameters' own names.
SummaryFilterForm = type(
    "SummaryFilterForm", (_SummaryFilter,), {"from": _date_field("From"), "to": _date_field("To")}
)
