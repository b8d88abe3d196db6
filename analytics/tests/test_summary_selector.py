import datetime as dt
from decimal import Decimal

import pytest

from analytics.selectors import analytics_summary
from analytics.tests.data import MARCH_END, MARCH_START, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return make_dataset()


def march(**kwargs):
    return analytics_summary(start=MARCH_START, end=MARCH_END, **kwargs)


def test_it_computes_exact_usd_totals(data):
    usd = march()["currencies"]["usd"]
    assert usd == {
        "payments": 7,
        "collected": 5,
        "failed": 1,
        "canceled": 1,
        "in_progress": 0,
        "gross": 30000,
        "fees": 3150,
        "payouts": 13600,
        "disputes_recovered_amount": 4250,
        "refund_count": 2,
        "refund_amount": 9000,
        "dashboard_refund_count": 1,
        "dashboard_refund_amount": 6000,
        "refund_rate": Decimal("30.00"),
        "success_rate": Decimal("83.33"),
        "disputes": 1,
        "disputed_amount": 5000,
        "disputes_lost_amount": 750,
        "net_revenue": 16000,
    }


def test_it_keeps_each_currency_apart(data):
    summary = march()
    assert sorted(summary["currencies"]) == ["eur", "usd"]
    eur = summary["currencies"]["eur"]
    assert (eur["payments"], eur["collected"], eur["failed"]) == (2, 1, 1)
    assert (eur["gross"], eur["fees"], eur["refund_amount"]) == (12000, 1800, 0)
    assert eur["success_rate"] == Decimal("50.00")
    assert eur["refund_rate"] == Decimal("0.00")


def test_it_includes_both_boundary_days_and_nothing_outside(data):
    # 02-28 23:59:59 and 04-01 00:00:00 are just outside March; March 1-31 includes both ends.
    assert march()["currencies"]["usd"]["payments"] == 7
    feb_28 = analytics_summary(start=dt.date(2026, 2, 28), end=dt.date(2026, 2, 28))
    assert feb_28["currencies"]["usd"]["gross"] == 2000
    april_1 = analytics_summary(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 1))
    assert april_1["currencies"]["usd"]["gross"] == 9000


def test_it_answers_an_empty_period_with_no_currencies(data):
    summary = analytics_summary(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    assert summary["currencies"] == {}
    assert summary["trainers"] == {}
    assert len(summary["series"]) == 31
    assert all(p["bookings"] == 0 and p["revenue"] == {} for p in summary["series"])


def test_it_ranks_trainers_per_currency_by_gross(data):
    trainers = march()["trainers"]
    usd = [
        tuple(
            r[k]
            for k in (
                "trainer_id",
                "count",
                "gross",
                "fees",
                "net",
                "refunded",
                "disputes_recovered",
            )
        )
        for r in trainers["usd"]
    ]
    assert usd == [
        (data.trainer_a.id, 2, 18000, 2250, 12750, 3000, 0),
        (data.trainer_b.id, 3, 12000, 900, 850, 6000, 4250),
    ]
    assert [(r["trainer_id"], r["gross"]) for r in trainers["eur"]] == [(data.trainer_c.id, 12000)]
    assert trainers["usd"][0]["name"] == "Ann A"


def test_it_sorts_trainers_by_count_and_keeps_top_n(data):
    by_count = march(sort="count")["trainers"]["usd"]
    assert [r["trainer_id"] for r in by_count] == [data.trainer_b.id, data.trainer_a.id]
    top_one = march(sort="net", top=1)["trainers"]
    assert [r["trainer_id"] for r in top_one["usd"]] == [data.trainer_a.id]
    assert [r["trainer_id"] for r in top_one["eur"]] == [data.trainer_c.id]


def test_it_buckets_paid_bookings_and_revenue_by_day(data):
    series = {p["bucket"]: p for p in march()["series"]}
    assert len(series) == 31
    assert series[dt.date(2026, 3, 2)] == {
        "bucket": dt.date(2026, 3, 2),
        "bookings": 1,
        "revenue": {"eur": 0, "usd": 10000},
    }
    assert series[dt.date(2026, 3, 5)]["revenue"] == {"eur": 12000, "usd": 0}
    # The decline (03-16) and the cancel (03-17) are not paid bookings.
    assert series[dt.date(2026, 3, 16)]["bookings"] == 0
    assert series[dt.date(2026, 3, 17)]["bookings"] == 0
    assert sum(p["bookings"] for p in series.values()) == 6


def test_it_buckets_by_week_starting_monday(data):
    series = march(bucket="week")["series"]
    # March 1st 2026 is a Sunday: its week starts on Monday February 23rd.
    assert series[0]["bucket"] == dt.date(2026, 2, 23)
    assert [p["bucket"].weekday() for p in series] == [0] * len(series)
    week_of_2nd = next(p for p in series if p["bucket"] == dt.date(2026, 3, 2))
    # 03-02 usd 100, 03-03 usd 80, 03-05 eur 120
    assert week_of_2nd["bookings"] == 3
    assert week_of_2nd["revenue"] == {"eur": 12000, "usd": 18000}


def test_it_buckets_by_month(data):
    series = analytics_summary(start=dt.date(2026, 2, 1), end=dt.date(2026, 4, 30), bucket="month")[
        "series"
    ]
    assert [(p["bucket"], p["bookings"], p["revenue"]["usd"]) for p in series] == [
        (dt.date(2026, 2, 1), 1, 2000),
        (dt.date(2026, 3, 1), 6, 30000),  # 5 in usd and 1 in eur
        (dt.date(2026, 4, 1), 1, 9000),
    ]


def test_a_declined_attempt_closed_for_another_card_still_counts_as_declined(data):
    """The checkout cancels a declined attempt at once; the success rate stayed 100% after a
    decline in the browser."""
    from payments.models import Payment

    declined = data.payments[5]
    Payment.objects.filter(pk=declined.pk).update(status=Payment.Status.CANCELED)
    # A request Stripe refused outright (no card tried) stays a plain cancel.
    Payment.objects.filter(pk=data.payments[6].pk).update(failure_code="resource_missing")
    usd = march()["currencies"]["usd"]
    assert (usd["failed"], usd["canceled"]) == (1, 1)
    assert usd["success_rate"] == Decimal("83.33")
