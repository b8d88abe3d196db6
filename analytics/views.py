"""The admins' analytics dashboard and its CSV export (server-rendered, staff only)."""

import csv
import datetime as dt
from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.http import StreamingHttpResponse
from django.shortcuts import render

from analytics.api import form_errors, summary_json
from analytics.forms import SummaryFilterForm
from analytics.selectors import DEFINITIONS, Period, analytics_summary, payments_for_export
from core.money import format_amount

CSV_HEADER = (
    "id",
    "created",
    "succeeded",
    "booking",
    "client",
    "trainer",
    "amount",
    "fee",
    "payout",
    "refunded",
    "net_fee",
    "net_payout",
    "currency",
    "status",
)
TRAINER_COLUMNS = (
    ("count", "Payments"),
    ("gross", "Gross"),
    ("net", "Net (payouts after refunds)"),
)


@staff_member_required
def analytics_dashboard(request):
    form = SummaryFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"form": form, "definitions": DEFINITIONS, "errors": form_errors(form)}
        return render(request, "analytics/dashboard.html", context, status=400)
    if not request.GET:
        form = SummaryFilterForm({})
        form.is_valid()
    params = form.cleaned_data
    summary = summary_json(analytics_summary(**form.summary_kwargs()))
    query = {k: str(v) for k, v in params.items()}
    sort_links = [
        (key, label, _query({**query, "sort": key}), key == params["sort"])
        for key, label in TRAINER_COLUMNS
    ]
    chart = {
        "labels": [p["bucket"] for p in summary["series"]],
        "bookings": [p["bookings"] for p in summary["series"]],
        "revenue": {
            c: [p["revenue"].get(c, "0") for p in summary["series"]] for c in summary["currencies"]
        },
        "bucket": params["bucket"],
    }
    context = {
        "form": form,
        "summary": summary,
        "chart": chart,
        "definitions": DEFINITIONS,
        "sort_links": sort_links,
        "bucket_links": [
            (b, _query({**query, "bucket": b}), b == params["bucket"])
            for b in ("day", "week", "month")
        ],
        "export_query": _query({"from": query["from"], "to": query["to"]}),
    }
    return render(request, "analytics/dashboard.html", context)


def _query(params: dict) -> str:
    return "?" + urlencode(params)


class _Echo:
    """csv.writer wants a file; this one hands each formatted line back to the stream."""

    def write(self, value):
        return value


# A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(...)"); an
# email address may start with "=", "+" or "-".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A CSV cell a spreadsheet shows as text: a leading quote neutralises a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


@staff_member_required
def analytics_export_csv(request):
    form = SummaryFilterForm({k: request.GET[k] for k in ("from", "to") if k in request.GET})
    if not form.is_valid():
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form_errors(form).items())
        return StreamingHttpResponse(
            [f"error\n{message}\n"], status=400, content_type="text/csv; charset=utf-8"
        )
    period = Period(form.cleaned_data["from"], form.cleaned_data["to"])
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_HEADER)
        # Streamed in chunks from a server-side cursor: a year of payments never sits in memory.
        for row in payments_for_export(period).iterator(chunk_size=2000):
            pid, created, succeeded, booking, client, trainer, amount, fee, payout = row[:9]
            refunded, net_fee, net_payout, currency, status = row[9:]
            yield writer.writerow(
                _cell(value)
                for value in (
                    pid,
                    _iso(created),
                    _iso(succeeded),
                    booking,
                    client,
                    trainer,
                    format_amount(amount, currency),
                    format_amount(fee, currency),
                    format_amount(payout, currency),
                    format_amount(refunded, currency),
                    format_amount(net_fee, currency),
                    format_amount(net_payout, currency),
                    currency,
                    status,
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"payments_{period.start}_{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
