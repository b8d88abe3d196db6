import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import analytics_summary

pytestmark = pytest.mark.django_db


def count_queries(**kwargs) -> int:
    today = dt.date.today()
    with CaptureQueriesContext(connection) as ctx:
        analytics_summary(start=today - dt.timedelta(days=400), end=today, **kwargs)
    return len(ctx.captured_queries)


def test_it_costs_the_same_few_queries_whatever_the_number_of_payments():
    empty = count_queries()
    call_command("seed_analytics", payments=50, trainers=3, clients=5, seed=1)
    few = count_queries()
    call_command("seed_analytics", payments=600, trainers=12, clients=30, seed=2)
    many = count_queries(bucket="month", sort="count", top=50)
    assert few == many
    assert empty <= few <= 4
    if connection.vendor == "postgresql":  # one statement: one round trip, one snapshot
        assert empty == few == 1
