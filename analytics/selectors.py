"""Read-only business figures for admins and trainers, aggregated in SQL.

Every figure is grouped per currency and never summed across currencies. The rules that decide
what counts (DEFINITIONS) are written once here and shown on the dashboard and in the API docs.

The summary costs a fixed handful of queries whatever the number of payments: one scan of the
payments in range grouped by (currency, UTC day), from which the chart's buckets and the
per-currency totals are added up (a few hundred aggregate rows, never payment rows); one for the
refunds; one for the top trainers with their names. On PostgreSQL they are sent as one statement
(one round trip, one snapshot: see _summary_rows).
"""

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDay, TruncMonth
from django.utils import timezone

from payments import stripe_client
from payments.models import Payment, Refund
from trainers.models import TrainerProfile

DEFINITIONS = """\
Period: a payment belongs to the UTC day on which it was created (the client's checkout), \
whatever happened to it later; "from" and "to" are both included. Refunds and disputes are \
counted with the payment they belong to, so every rate compares figures of the same payments.
Revenue (gross): the full amount of every collected payment, i.e. one whose charge succeeded \
(status succeeded, partially refunded, refunded or disputed), before refunds.
Platform fees and trainer payouts (net): what the platform and the trainer keep of those \
payments after refunds and lost chargebacks. A refund gives back the platform's fee on the \
refunded part, unless the platform keeps its fee on cancellations (then the refund comes out of \
the trainer's payout). A lost chargeback leaves the trainer nothing of that payment: their share \
after refunds is recovered from them (kept back, or taken back when it was already transferred) \
to cover part of the loss. So fees + payouts + recovered shares = gross - refunds, to the cent, \
payment by payment.
Refunds: every refund that succeeded, whether asked for through FitConnect (an admin, a trainer \
or a cancellation) or made in the Stripe Dashboard. Refund rate = refunded amount / gross revenue.
Success rate: collected payments / (collected + failed). A failed payment is one whose last card \
attempt was declined (also once that attempt is closed for another card); payments abandoned \
(canceled without a decline) or still in progress are not attempts that ended, so they are left \
out of the rate (and listed separately).
Disputes: collected payments whose cardholder disputed the charge (open, won or lost), with the \
amount at stake (what refunds had not already given back). A lost dispute takes that money back: \
the trainer's share of it is recovered from them (recovered shares) and the rest is the \
platform's loss (lost disputes: its fee on the payment), as the ledger books them. Net revenue \
is what the payments left in the platform's Stripe balance before trainers are paid: net \
revenue = gross - refunds - lost disputes - recovered shares.
Bookings over time: the number of collected payments (paid bookings) per day, week or month."""

BUCKETS = ("day", "week", "month")
TRAINER_SORTS = ("gross", "net", "count")
MAX_RANGE_DAYS = 366 * 5

COLLECTED = Q(status__in=Payment.COLLECTED_STATUSES)
# A declined attempt stays a decline after the checkout cancels its intent for the next card:
# it keeps its card error code.
DECLINED_THEN_CLOSED = Q(
    status=Payment.Status.CANCELED, failure_code__in=stripe_client.CARD_ERROR_CODES
)
FAILED = Q(status=Payment.Status.FAILED) | DECLINED_THEN_CLOSED
CANCELED = Q(status=Payment.Status.CANCELED) & ~DECLINED_THEN_CLOSED
DISPUTED = COLLECTED & (Q(status=Payment.Status.DISPUTED) | ~Q(dispute_id=""))
DISPUTE_LOST = Q(status=Payment.Status.DISPUTED, dispute_status="lost")


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def end_before(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def payments_in(period: Period):
    return Payment.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_before)


def _sum(field, condition: Q) -> Coalesce:
    return Coalesce(Sum(field, filter=condition), 0)


def rate_percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage with two decimals; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def bucket_starts(period: Period, bucket: str) -> list[dt.date]:
    """Every bucket that overlaps the period, so charts show empty days as zero."""
    if bucket == "day":
        first, step = period.start, dt.timedelta(days=1)
    elif bucket == "week":
        first, step = period.start - dt.timedelta(days=period.start.weekday()), dt.timedelta(7)
    else:
        first = period.start.replace(day=1)
        months = (period.end.year - first.year) * 12 + period.end.month - first.month + 1
        return [_add_months(first, n) for n in range(months)]
    count = (period.end - first).days // step.days + 1
    return [first + step * n for n in range(count)]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# Figures summed per (currency, day) by payment_figures_by_day, then per bucket and currency.
# Fees and payouts are the payments' own after-refund columns (net_platform_fee +
# net_trainer_payout = amount - refund_amount is a database constraint). A lost chargeback's
# payout is not the trainer's: the ledger recovers it (ledger.postings.post_dispute_recovery
# before the transfer, post_transfer_reversal after), so it counts as recovered, not paid.
_FIGURES = {
    "payments": Count("id"),
    "collected": Count("id", filter=COLLECTED),
    "failed": Count("id", filter=FAILED),
    "canceled": Count("id", filter=CANCELED),
    "gross": _sum("amount", COLLECTED),
    "fees": _sum("net_platform_fee", COLLECTED),
    "payouts": _sum("net_trainer_payout", COLLECTED & ~DISPUTE_LOST),
    "disputes_recovered_amount": _sum("net_trainer_payout", DISPUTE_LOST),
    "disputes": Count("id", filter=DISPUTED),
    # Stripe disputes what the refunds left of the charge: a refunded part is already counted
    # in the refunds and must not be counted as lost again.
    "disputed_amount": _sum(F("amount") - F("refund_amount"), DISPUTED),
    # The platform's loss: what the chargeback took less the trainer's share recovered.
    "disputes_lost_amount": _sum(
        F("amount") - F("refund_amount") - F("net_trainer_payout"), DISPUTE_LOST
    ),
}


def payment_figures_by_day(period: Period) -> QuerySet:
    """One row per (currency, UTC day) with every figure of _FIGURES.

    Always by day, whatever the chart's bucket: weeks and months are added up from these few
    hundred rows, so the database sees one query shape, whose grouping expression has its own
    index (payment_analytics_day) and hence statistics. Without them PostgreSQL guessed a group
    per row and sorted a million rows on disk instead of hashing a few hundred groups.
    """
    return (
        payments_in(period)
        .annotate(day=TruncDay("created_at", tzinfo=dt.UTC))
        .values("currency", "day")
        .annotate(**_FIGURES)
        .order_by()
    )


def bucket_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


REFUNDS_NONE = {
    "refund_count": 0,
    "refund_amount": 0,
    "dashboard_refund_count": 0,
    "dashboard_refund_amount": 0,
}


def refund_figures(period: Period) -> QuerySet:
    """Succeeded refunds of the period's payments per currency: all sources, and the Dashboard's."""
    dashboard = Q(source=Refund.Source.DASHBOARD)
    return (
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED,
            payment__created_at__gte=period.start_at,
            payment__created_at__lt=period.end_before,
        )
        .values("currency")
        .annotate(
            refund_count=Count("id"),
            refund_amount=Sum("amount"),
            dashboard_refund_count=Count("id", filter=dashboard),
            dashboard_refund_amount=Coalesce(Sum("amount", filter=dashboard), 0),
        )
        .order_by()
    )


def revenue_by_trainer(period: Period, *, top: int = 10, sort: str = "gross") -> QuerySet:
    """The `top` trainers of each currency by gross, net (payouts after refunds and lost
    chargebacks, as in _FIGURES) or count of collected payments.

    Ranked per currency in SQL (a window over the grouped rows), since amounts in different
    currencies cannot be compared. Grouped by the payment's own copy of the trainer: through the
    booking, a year at 1M payments spent half its time joining a million bookings.
    """
    if sort not in TRAINER_SORTS:
        raise ValueError(f"sort must be one of {TRAINER_SORTS}")
    return (
        payments_in(period)
        .filter(COLLECTED)
        .values("currency", "trainer_id")
        .annotate(
            count=Count("id"),
            gross=Sum("amount"),
            fees=Sum("net_platform_fee"),
            net=_sum("net_trainer_payout", ~DISPUTE_LOST),
            refunded=Sum("refund_amount"),
            disputes_recovered=_sum("net_trainer_payout", DISPUTE_LOST),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("currency")],
                order_by=[F(sort).desc(), F("trainer_id").asc()],
            )
        )
        .filter(rank__lte=top)
        .order_by("currency", "rank")
    )


def _summary_rows(period: Period, *, top: int, sort: str) -> tuple[list, list, list]:
    """The summary's day figures, refund figures and ranked trainers (with their names).

    On PostgreSQL the three queries run as ONE statement: it reads one snapshot, so a refund
    landing meanwhile cannot make the cards disagree (each READ COMMITTED statement sees its own),
    and it is one round trip instead of seven (a snapshot transaction, three queries and the
    trainers' names): measured at 100k payments, those round trips were most of the gap between
    the endpoint and one hand-written query. Elsewhere (SQLite) the queries run in turn.
    """
    if connection.vendor == "postgresql":
        return _summary_rows_in_one_statement(period, top=top, sort=sort)
    days, refunds, trainers = (
        list(query) for query in _summary_queries(period, top=top, sort=sort)
    )
    people = TrainerProfile.objects.filter(id__in={r["trainer_id"] for r in trainers})
    names = {
        pk: {"first_name": first, "last_name": last, "email": email}
        for pk, first, last, email in people.values_list(
            "id", "user__first_name", "user__last_name", "user__email"
        )
    }
    for row in trainers:
        row.update(names[row["trainer_id"]])
    return [{**row, "day": _as_date(row["day"])} for row in days], refunds, trainers


def _summary_queries(period: Period, *, top: int, sort: str) -> tuple[QuerySet, ...]:
    return (
        payment_figures_by_day(period),
        refund_figures(period),
        revenue_by_trainer(period, top=top, sort=sort),
    )


# Building and compiling the statement's ORM queries took ~2 ms a call, a tenth of a small
# summary, and its SQL depends only on (top, sort): it is compiled once per shape for this
# stand-in period, whose two bounds (the only parameters that vary) each call swaps for its own.
_STAND_IN = Period(dt.date(1000, 1, 1), dt.date(1000, 1, 1))


@functools.lru_cache(maxsize=128)
def _one_statement(top: int, sort: str) -> tuple[str, tuple]:
    """The three ORM queries as subqueries of one SELECT, each aggregated to a JSON array."""
    compiled = [q.query.sql_with_params() for q in _summary_queries(_STAND_IN, top=top, sort=sort)]
    (day_sql, day_params), (refund_sql, refund_params), (trainer_sql, trainer_params) = compiled
    params = (*day_params, *refund_params, *trainer_params)
    if params.count(_STAND_IN.start_at) != 3 or params.count(_STAND_IN.end_before) != 3:
        raise RuntimeError("Each summary query must take the period's bounds as parameters.")
    profiles = connection.ops.quote_name(TrainerProfile._meta.db_table)
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    sql = f"""
        SELECT
            (SELECT json_agg(d) FROM ({day_sql}) d)::text,
            (SELECT json_agg(r) FROM ({refund_sql}) r)::text,
            (SELECT json_agg(to_jsonb(t) || jsonb_build_object(
                    'first_name', u.first_name, 'last_name', u.last_name, 'email', u.email))
             FROM ({trainer_sql}) t
             JOIN {profiles} p ON p.id = t.trainer_id
             JOIN {users} u ON u.id = p.user_id)::text
    """  # noqa: S608 (the subqueries are the ORM's, with their parameters; names are ours)
    return sql, params


def _summary_rows_in_one_statement(period: Period, *, top: int, sort: str):
    sql, params = _one_statement(top, sort)
    bounds = {_STAND_IN.start_at: period.start_at, _STAND_IN.end_before: period.end_before}
    params = [bounds.get(p, p) if isinstance(p, dt.datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        arrays = cursor.fetchone()
    day_rows, refund_rows, trainer_rows = (json.loads(a) if a else [] for a in arrays)
    for row in day_rows:  # a UTC timestamp in JSON: "2026-03-02T00:00:00"
        row["day"] = dt.date.fromisoformat(row["day"][:10])
    return day_rows, refund_rows, trainer_rows


def analytics_summary(
    *, start: dt.date, end: dt.date, bucket: str = "day", top: int = 10, sort: str = "gross"
) -> dict:
    """Everything the dashboard and the summary API show, amounts as integer minor units."""
    period = Period(start, end)
    day_rows, refund_rows, trainer_rows = _summary_rows(period, top=top, sort=sort)
    refunds = {row.pop("currency"): row for row in refund_rows}
    trainers: dict[str, list] = {}
    for row in sorted(trainer_rows, key=lambda r: (r["currency"], r["rank"])):
        row["name"] = f"{row.pop('first_name')} {row.pop('last_name')}".strip()  # get_full_name()
        trainers.setdefault(row["currency"], []).append(row)

    totals: dict[str, dict] = {}
    by_bucket: dict[tuple[str, dt.date], dict] = {}
    for row in day_rows:  # aggregate rows (currency x day), never payment rows
        currency = row["currency"]
        total = totals.setdefault(currency, dict.fromkeys(_FIGURES, 0))
        point = by_bucket.setdefault(
            (currency, bucket_start(row["day"], bucket)), {"collected": 0, "gross": 0}
        )
        for key in _FIGURES:
            total[key] += row[key]
        point["collected"] += row["collected"]
        point["gross"] += row["gross"]
    for currency in set(refunds) - set(totals):
        totals[currency] = dict.fromkeys(_FIGURES, 0)
    for currency, total in totals.items():
        total.update(REFUNDS_NONE | refunds.get(currency, {}))
        total["in_progress"] = (
            total["payments"] - total["collected"] - total["failed"] - total["canceled"]
        )
        total["net_revenue"] = (
            total["gross"]
            - total["refund_amount"]
            - total["disputes_lost_amount"]
            - total["disputes_recovered_amount"]
        )
        total["refund_rate"] = rate_percent(total["refund_amount"], total["gross"])
        total["success_rate"] = rate_percent(
            total["collected"], total["collected"] + total["failed"]
        )

    currencies = sorted(totals)
    zero = {"collected": 0, "gross": 0}
    series = [
        {
            "bucket": start_day,
            "bookings": sum(by_bucket.get((c, start_day), zero)["collected"] for c in currencies),
            "revenue": {c: by_bucket.get((c, start_day), zero)["gross"] for c in currencies},
        }
        for start_day in bucket_starts(period, bucket)
    ]
    return {
        "from": start,
        "to": end,
        "bucket": bucket,
        "sort": sort,
        "top": top,
        "currencies": {c: totals[c] for c in currencies},
        "trainers": trainers,
        "series": series,
    }


def payments_for_export(period: Period):
    """The period's payments, one row each, for the CSV export (streamed by the caller)."""
    return (
        payments_in(period)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "succeeded_at",
            "booking_id",
            "booking__client__email",
            "trainer__user__email",
            "amount",
            "platform_fee_amount",
            "trainer_payout_amount",
            "refund_amount",
            "net_platform_fee",
            "net_trainer_payout",
            "currency",
            "status",
        )
    )


def trainer_earnings_by_month(trainer: TrainerProfile, months: int = 12) -> list[dict]:
    """The trainer's collected payments per month (UTC) for the last `months` months, newest first.

    One row per (month, currency); every month of the window appears (zeros when nothing was
    paid), for the trainer's currency and any other currency they were paid in. gross = what
    clients paid, refunds = what was given back, fee = what the platform keeps and net = what
    the trainer keeps, both after refunds; disputes_lost = the trainer's share of payments whose
    chargeback was lost, which the ledger recovers from them (not in net): fee + net +
    disputes_lost = gross - refunds. Amounts are integer minor units.
    """
    today = timezone.now().astimezone(dt.UTC).date()
    first = _add_months(today.replace(day=1), -(months - 1))
    rows = (
        Payment.objects.filter(
            COLLECTED,
            trainer=trainer,
            created_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC),
        )
        .annotate(month=TruncMonth("created_at", tzinfo=dt.UTC))
        .values("month", "currency")
        .annotate(
            payments=Count("id"),
            gross=Sum("amount"),
            fee=Sum("net_platform_fee"),
            net=_sum("net_trainer_payout", ~DISPUTE_LOST),
            disputes_lost=_sum("net_trainer_payout", DISPUTE_LOST),
            refunds=Sum("refund_amount"),
        )
    )
    found = {(_as_date(r["month"]), r["currency"]): r for r in rows}
    currencies = sorted({c for _, c in found} | {trainer.currency})
    empty = {"payments": 0, "gross": 0, "fee": 0, "net": 0, "disputes_lost": 0, "refunds": 0}
    result = []
    for n in range(months - 1, -1, -1):
        month = _add_months(first, n)
        for currency in currencies:
            row = found.get((month, currency), empty)
            result.append({"month": month, "currency": currency, **{k: row[k] for k in empty}})
    return result
