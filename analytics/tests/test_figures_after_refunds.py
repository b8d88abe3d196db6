"""Fees and payouts are what the platform and the trainer keep after refunds, everywhere they are
shown (summary, API, CSV, the trainer's earnings), and agree with the payment rows to the cent."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from analytics.selectors import analytics_summary, trainer_earnings_by_month
from analytics.tests.data import make_payment, refund
from core.tests.factories import ClientFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def summary_of(day):
    return analytics_summary(start=day.date(), end=day.date())["currencies"]["usd"]


def test_a_fully_refunded_payment_leaves_no_fee_and_no_payout(trainer, today):
    payment = make_payment(trainer, ClientFactory(), 7500, Payment.Status.SUCCEEDED, today)
    refund(payment, 7500)

    usd = summary_of(today)

    assert (usd["gross"], usd["refund_amount"], usd["fees"], usd["payouts"]) == (7500, 7500, 0, 0)
    month = trainer_earnings_by_month(trainer, months=1)[0]
    assert (month["gross"], month["refunds"], month["fee"], month["net"]) == (7500, 7500, 0, 0)


def test_a_platform_that_keeps_its_fee_keeps_it_after_a_refund(trainer, today, settings):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True
    payment = make_payment(trainer, ClientFactory(), 7500, Payment.Status.SUCCEEDED, today)
    refund(payment, 6375)  # everything but the 11.25 fee

    usd = summary_of(today)

    assert (usd["fees"], usd["payouts"]) == (1125, 0)


def test_the_figures_agree_with_the_payment_rows_to_the_cent(today):
    trainer, client = TrainerProfileFactory(), ClientFactory()
    for amount, refunded in [(7501, 0), (7501, 3333), (999, 999), (12345, 1), (50, 49)]:
        payment = make_payment(trainer, client, amount, Payment.Status.SUCCEEDED, today)
        if refunded:
            refund(payment, refunded)

    usd = summary_of(today)

    rows = Payment.objects.aggregate(
        fee=Sum("net_platform_fee"), payout=Sum("net_trainer_payout"), refunded=Sum("refund_amount")
    )
    assert (usd["fees"], usd["payouts"]) == (rows["fee"], rows["payout"])
    assert usd["fees"] + usd["payouts"] == usd["gross"] - usd["refund_amount"]
    assert usd["refund_amount"] == rows["refunded"]
    for payment in Payment.objects.all():
        assert payment.net_platform_fee + payment.net_trainer_payout == (
            payment.amount - payment.refund_amount
        )


def test_the_trainers_page_says_net_is_after_refunds(client, trainer, today):
    payment = make_payment(trainer, ClientFactory(), 7500, Payment.Status.SUCCEEDED, today)
    refund(payment, 7500)
    client.force_login(trainer.user)

    html = client.get("/trainer/").content.decode()

    assert "after those refunds" in html
    assert "63.75" not in html  # the payout before the refund
