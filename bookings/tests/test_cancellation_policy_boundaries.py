"""bookings.policy.cancellation_quote at its edges: exactly CANCELLATION_FULL_REFUND_HOURS
before the start is still a full refund, the start itself refunds nothing, and the trainer or an
admin always refunds what is left."""

import datetime as dt
from decimal import Decimal

import pytest

from bookings.policy import cancellation_quote
from core.tests.factories import AdminFactory, BookingFactory, future

pytestmark = pytest.mark.django_db
TICK = dt.timedelta(microseconds=1)


@pytest.fixture
def booking():
    return BookingFactory(start_time=future(72))


def quote(booking, actor, now, *, refundable=7500):
    return cancellation_quote(
        booking=booking,
        actor=actor,
        paid_amount=7500,
        platform_fee_amount=1125,
        refundable_amount=refundable,
        now=now,
    )


@pytest.mark.parametrize(
    ("before_start", "amount", "percent"),
    [
        (dt.timedelta(hours=24), 7500, 100),
        (dt.timedelta(hours=24) - TICK, 3750, 50),
        (TICK, 3750, 50),
        (dt.timedelta(0), 0, 0),
        (-dt.timedelta(hours=1), 0, 0),
    ],
)
def test_it_draws_the_client_boundaries_at_24_hours_and_the_start(
    booking, before_start, amount, percent
):
    result = quote(booking, booking.client, booking.start_time - before_start)

    assert (result.refund_amount, result.percent) == (amount, Decimal(percent))


@pytest.mark.parametrize("who", ["trainer", "admin"])
def test_it_refunds_what_is_left_when_the_trainer_or_an_admin_cancels_even_after_the_start(
    booking, who
):
    actor = booking.trainer.user if who == "trainer" else AdminFactory()

    result = quote(booking, actor, booking.start_time + dt.timedelta(hours=1), refundable=5000)

    assert (result.refund_amount, result.percent) == (5000, Decimal(100))


def test_it_never_quotes_more_than_what_is_still_refundable(booking):
    result = quote(
        booking, booking.client, booking.start_time - dt.timedelta(hours=48), refundable=100
    )

    assert result.refund_amount == 100


def test_it_refunds_nothing_when_nothing_was_paid(booking):
    result = cancellation_quote(
        booking=booking,
        actor=booking.client,
        paid_amount=0,
        platform_fee_amount=0,
        refundable_amount=0,
        now=booking.start_time - dt.timedelta(hours=48),
    )

    assert result.refund_amount == 0


def test_earlier_refunds_count_towards_what_the_policy_grants(booking):
    late = booking.start_time - dt.timedelta(hours=2)  # 50% of 7500 is due in total
    assert quote(booking, booking.client, late, refundable=7500).refund_amount == 3750
    assert quote(booking, booking.client, late, refundable=5000).refund_amount == 1250
    assert quote(booking, booking.client, late, refundable=3750).refund_amount == 0
    assert quote(booking, booking.client, late, refundable=2000).refund_amount == 0


def test_earlier_refunds_never_make_the_platform_refund_its_kept_fee(booking, settings):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True  # base = 7500 - 1125 fee = 6375
    early = booking.start_time - dt.timedelta(hours=48)
    assert quote(booking, booking.client, early, refundable=7500).refund_amount == 6375
    assert quote(booking, booking.client, early, refundable=2500).refund_amount == 1375
