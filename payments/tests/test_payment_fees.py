"""The fee rule: platform fee rounded half-up, payout the rest, kept by database constraints."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.tests.factories import BookingFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


def make_payment(amount, **fields):
    booking = BookingFactory(price=amount)
    return Payment.objects.create(booking=booking, amount=amount, currency="usd", **fields)


def test_it_takes_the_default_fee_and_pays_the_trainer_the_rest():
    payment = make_payment(7500)
    assert payment.platform_fee_percentage == Decimal("15")
    assert (payment.platform_fee_amount, payment.trainer_payout_amount) == (1125, 6375)


def test_it_rounds_the_fee_half_up_to_the_cent():
    payment = make_payment(7550)  # 15% = 11.325
    assert (payment.platform_fee_amount, payment.trainer_payout_amount) == (1133, 6417)


def test_the_fee_can_be_set_per_payment(settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("20")
    assert make_payment(7500).platform_fee_amount == 1500
    promo = make_payment(7500, platform_fee_percentage=Decimal("5"))
    assert (promo.platform_fee_amount, promo.trainer_payout_amount) == (375, 7125)


def test_the_database_refuses_a_fee_and_payout_that_do_not_add_up():
    payment = make_payment(7500)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(trainer_payout_amount=6400)


def test_the_database_refuses_refunding_more_than_the_amount():
    payment = make_payment(7500)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refund_amount=7501)


@pytest.mark.parametrize(
    ("keeps_fee", "refunded", "payout"),
    [(False, 0, 6375), (False, 3750, 3187), (False, 7500, 0), (True, 3750, 2625), (True, 7500, 0)],
)
def test_the_trainers_payout_after_a_refund(settings, keeps_fee, refunded, payout):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = keeps_fee
    assert make_payment(7500).payout_after_refunds(refunded) == payout
