"""A dispute can only claim what is left of a charge after its refunds (Stripe disputes the
unrefunded amount), so a refunded part must not be counted again as lost to the dispute."""

import datetime as dt

import pytest

from analytics.selectors import analytics_summary
from analytics.tests.data import at, make_payment, refund
from core.tests.factories import ClientFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


def test_it_counts_only_the_unrefunded_part_of_a_lost_dispute():
    payment = make_payment(TrainerProfileFactory(), ClientFactory(), 8000, "succeeded", at(3, 3))
    payment, _ = refund(payment, 3000)
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.DISPUTED, dispute_id="dp_test_1", dispute_status="lost"
    )

    usd = analytics_summary(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))["currencies"][
        "usd"
    ]

    assert (usd["gross"], usd["refund_amount"]) == (8000, 3000)
    assert (usd["disputes"], usd["disputed_amount"]) == (1, 5000)
    # The bank took back the 50.00 the refund left: the trainer's 42.50 of it is recovered from
    # them, the platform loses its 7.50 fee on it.
    assert (usd["disputes_recovered_amount"], usd["disputes_lost_amount"]) == (4250, 750)
    # 80.00 paid, 30.00 given back, the other 50.00 taken back by the bank: nothing is left.
    assert usd["net_revenue"] == 0
