import datetime as dt

import pytest
from django.core import mail

from core.tests.factories import BookingFactory, TrainerProfileFactory, UserFactory
from notifications.services import notify_payment_succeeded
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db

SUMMER_START = dt.datetime(2030, 7, 1, 13, 0, tzinfo=dt.UTC)


def london_payment(**kwargs):
    trainer = TrainerProfileFactory(
        timezone="Europe/London", user__first_name="Jane", user__last_name="Coach"
    )
    client = UserFactory(email="alex@example.com", first_name="Alex", last_name="Client")
    booking = BookingFactory(
        trainer=trainer, client=client, start_time=SUMMER_START, status="confirmed"
    )
    return PaidPaymentFactory(booking=booking, **kwargs)


def test_it_sends_the_client_a_receipt_with_amount_trainer_time_and_card(commit, settings):
    settings.SITE_URL = "https://fitconnect.example.com"
    payment = london_payment(receipt_url="https://pay.stripe.com/receipts/rcpt_42")

    commit(notify_payment_succeeded, payment)

    [receipt] = [m for m in mail.outbox if m.to == ["alex@example.com"]]
    html = receipt.alternatives[0].content
    assert "75.00 USD" in receipt.subject
    for body in (receipt.body, html):
        assert "75.00 USD" in body
        assert "Jane Coach" in body
        assert "Monday 1 July 2030, 14:00-15:00 BST (Europe/London)" in body
        assert "Visa ending 4242" in body
        assert "https://pay.stripe.com/receipts/rcpt_42" in body
        assert f"https://fitconnect.example.com/sessions/{payment.booking_id}/" in body


def test_it_leaves_out_the_receipt_link_when_stripe_gave_none(commit):
    payment = london_payment(receipt_url="")

    commit(notify_payment_succeeded, payment)

    [receipt] = [m for m in mail.outbox if m.to == ["alex@example.com"]]
    assert "Your receipt:" not in receipt.body
    assert "View your receipt" not in receipt.alternatives[0].content


def test_it_tells_the_trainer_about_the_new_paid_booking_and_their_payout(commit):
    payment = london_payment()

    commit(notify_payment_succeeded, payment)

    trainer_email = payment.booking.trainer.user.email
    [message] = [m for m in mail.outbox if m.to == [trainer_email]]
    assert "Alex Client" in message.subject
    for body in (message.body, message.alternatives[0].content):
        assert "Alex Client" in body
        assert "Monday 1 July 2030, 14:00-15:00 BST (Europe/London)" in body
        assert "75.00 USD" in body
        assert "11.25 USD" in body  # the 15% platform fee
        assert "63.75 USD" in body  # the trainer's payout
    assert len(mail.outbox) == 2


def test_it_shows_utc_sessions_without_repeating_the_zone(commit):
    booking = BookingFactory(start_time=dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC))
    payment = PaidPaymentFactory(booking=booking)

    commit(notify_payment_succeeded, payment)

    assert "Monday 7 January 2030, 09:00-10:00 UTC\n" in mail.outbox[0].body


def test_it_sends_nothing_for_a_payment_that_has_not_succeeded(commit):
    payment = PaidPaymentFactory(status="processing")

    assert commit(notify_payment_succeeded, payment) == []
    assert mail.outbox == []


def test_it_tells_only_the_client_when_the_payment_landed_for_a_cancelled_booking(commit):
    payment = PaidPaymentFactory(booking__status="cancelled")

    commit(notify_payment_succeeded, payment)

    assert [m.to for m in mail.outbox] == [[payment.booking.client.email]]
