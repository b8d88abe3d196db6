from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.forms import SummaryFilterForm
from analytics.selectors import DEFINITIONS, analytics_summary, trainer_earnings_by_month
from core.money import format_amount

MONEY_KEYS = (
    "gross",
    "fees",
    "payouts",
    "refund_amount",
    "dashboard_refund_amount",
    "disputed_amount",
    "disputes_lost_amount",
    "disputes_recovered_amount",
    "net_revenue",
)
# Selector figure -> API field, so the JSON reads on its own ("refunded" is the payments' total).
RENAMED = {
    "gross": "gross_revenue",
    "fees": "platform_fees",
    "payouts": "trainer_payouts",
    "refund_amount": "refunded",
    "collected": "succeeded",
}
RATES = {"refund_rate": "refund_rate_percent", "success_rate": "success_rate_percent"}
TRAINER_MONEY = ("gross", "fees", "net", "refunded", "disputes_recovered")


def _rate(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def summary_json(summary: dict) -> dict:
    """Money as decimal strings in each currency's own unit; counts as integers."""
    currencies = {}
    for currency, t in summary["currencies"].items():
        out = {}
        for key, value in t.items():
            if key == "refunded":  # same as refund_amount, from the payments' side
                continue
            if key in RATES:
                out[RATES[key]] = _rate(value)
            elif key in MONEY_KEYS:
                out[RENAMED.get(key, key)] = format_amount(value, currency)
            else:
                out[RENAMED.get(key, key)] = value
        currencies[currency] = out
    trainers = {
        currency: [
            {
                "rank": r["rank"],
                "trainer_id": r["trainer_id"],
                "name": r["name"],
                "email": r["email"],
                "payments": r["count"],
                **{k: format_amount(r[k], currency) for k in TRAINER_MONEY},
            }
            for r in rows
        ]
        for currency, rows in summary["trainers"].items()
    }
    series = [
        {
            "bucket": point["bucket"].isoformat(),
            "bookings": point["bookings"],
            "revenue": {c: format_amount(v, c) for c, v in point["revenue"].items()},
        }
        for point in summary["series"]
    ]
    return {
        "from": summary["from"].isoformat(),
        "to": summary["to"].isoformat(),
        "bucket": summary["bucket"],
        "sort": summary["sort"],
        "top": summary["top"],
        "currencies": currencies,
        "trainers": trainers,
        "series": series,
        "definitions": DEFINITIONS,
    }


def form_errors(form) -> dict:
    return {
        name: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()
    }


class AnalyticsSummaryApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Business figures for a period (admins only)",
        description="Amounts are decimal strings grouped per currency, never summed across "
        "currencies; rates are percentages with two decimals (null when there is nothing to "
        "divide by). Without dates: the last 30 days.\n\n" + DEFINITIONS.replace("\n", "\n\n"),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (UTC), included."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (UTC), included."),
            OpenApiParameter("bucket", str, enum=["day", "week", "month"]),
            OpenApiParameter("top", int, description="Trainers per currency (1-100, default 10)."),
            OpenApiParameter("sort", str, enum=["gross", "net", "count"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = SummaryFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return Response(summary_json(analytics_summary(**form.summary_kwargs())))


class TrainerEarningsApi(APIView):
    @extend_schema(
        summary="The signed-in trainer's earnings per month",
        description="Per month (UTC) and currency, newest first: gross (what clients paid), "
        "refunds (what went back to them), fee (what the platform keeps) and net (what the "
        "trainer keeps), fee and net after refunds, and disputes_lost (the trainer's share of "
        "payments whose chargeback was lost, recovered from them, so not in net): fee + net + "
        "disputes_lost = gross - refunds. Trainers only.",
        parameters=[OpenApiParameter("months", int, description="1-36, default 12.")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        profile = getattr(request.user, "trainer_profile", None)
        if not request.user.is_trainer or profile is None:
            raise PermissionDenied("Only trainers have earnings.")
        raw = request.query_params.get("months", "12")
        # isdigit() alone accepts "²", which int() refuses (a 500).
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= 36:
            raise ValidationError({"months": ["months must be a whole number from 1 to 36."]})
        rows = trainer_earnings_by_month(profile, months=int(raw))
        return Response(
            {
                "trainer_id": profile.id,
                "months": [
                    {
                        "month": row["month"].strftime("%Y-%m"),
                        "currency": row["currency"],
                        "payments": row["payments"],
                        **{
                            k: format_amount(row[k], row["currency"])
                            for k in ("gross", "fee", "net", "refunds", "disputes_lost")
                        },
                    }
                    for row in rows
                ],
            }
        )
