import pytest
from django.core import mail
from django.utils import timezone

from core.tests.factories import BookingFactory
from notifications.services import notify_booking_cancelled
from notifications.tests.factories import PaidPaymentFactory, RefundFactory

pytestmark = pytest.mark.django_db


def cancel(booking, actor, reason=""):
    booking.status = "cancelled"
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = actor
    booking.cancellation_reason = reason
    booking.save()
    return booking


def test_it_shows_the_trainer_their_payout_before_and_after_the_refund(commit):
    payment = PaidPaymentFactory()  # 75.00: fee 11.25, payout 63.75
    booking = cancel(payment.booking, payment.booking.client, reason="Feeling unwell")
    refund = RefundFactory(payment=payment, amount=3750)

    commit(notify_booking_cancelled, booking, refund)

    [message] = mail.outbox
    assert message.to == [booking.trainer.user.email]
    for body in (message.body, message.alternatives[0].content):
        assert "Feeling unwell" in body
        assert "37.50 USD" in body  # refunded
        assert "63.75 USD" in body  # payout before
        assert "31.87 USD" in body  # 15% fee on the 37.50 kept (5.63), the rest is theirs
    assert "your client" in message.body


def test_it_takes_the_refund_from_the_payout_when_the_platform_keeps_its_fee(commit, settings):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True
    payment = PaidPaymentFactory()
    booking = cancel(payment.booking, payment.booking.client)
    refund = RefundFactory(payment=payment, amount=3188)  # 50% of 63.75

    commit(notify_booking_cancelled, booking, refund)

    assert "Your payout now:        31.87 USD" in mail.outbox[0].body


def test_it_counts_earlier_refunds_in_the_payout_before(commit):
    payment = PaidPaymentFactory()
    RefundFactory(payment=payment, amount=2500)  # a goodwill refund made earlier
    booking = cancel(payment.booking, payment.booking.trainer.user)
    refund = RefundFactory(payment=payment, amount=5000)

    commit(notify_booking_cancelled, booking, refund)

    body = mail.outbox[0].body
    assert "Your payout before:     42.50 USD" in body  # 50.00 kept, 7.50 fee
    assert "Your payout now:        0.00 USD" in body
    assert "cancelled by you" in body


def test_it_says_the_payout_is_unchanged_when_nothing_was_refunded(commit):
    payment = PaidPaymentFactory()
    booking = cancel(payment.booking, payment.booking.client)

    commit(notify_booking_cancelled, booking, None)

    assert "your payout of 63.75 USD is unchanged" in mail.outbox[0].body


def test_it_does_not_email_the_trainer_about_an_unpaid_booking(commit):
    booking = BookingFactory()
    cancel(booking, booking.client)

    assert commit(notify_booking_cancelled, booking) is None
    assert mail.outbox == []
