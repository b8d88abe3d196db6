"""POST /api/v1/bookings/{id}/cancel/ on a booking paid at the emulator: the client hears about
the refund, the trainer about the cancellation and their payout, each once."""

import datetime as dt

import pytest
from django.core import mail

from core.tests.factories import future

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def cancel(as_user, user, booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return as_user(user).post(
            f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Can't make it"}, format="json"
        )


def test_a_client_cancelling_early_gets_a_refund_email_and_the_trainer_a_payout_update(
    as_user, paid_booking, django_capture_on_commit_callbacks
):
    booking, _payment = paid_booking(start_time=future(72))

    response = cancel(as_user, booking.client, booking, django_capture_on_commit_callbacks)
    cancel(as_user, booking.client, booking, django_capture_on_commit_callbacks)  # a 409

    assert response.status_code == 200, response.content
    [refund_email] = [m for m in mail.outbox if m.to == [booking.client.email]]
    assert refund_email.subject == "Your refund of 75.00 USD is on its way"
    assert "5 to 10 business days" in refund_email.body
    [trainer_email] = [m for m in mail.outbox if m.to == [booking.trainer.user.email]]
    assert "Can't make it" in trainer_email.body
    assert "Your payout before:     63.75 USD" in trainer_email.body
    assert "Your payout now:        0.00 USD" in trainer_email.body


def test_a_late_cancellation_shows_the_trainer_the_payout_they_keep(
    as_user, paid_booking, django_capture_on_commit_callbacks
):
    booking, _payment = paid_booking(start_time=future(10))
    assert booking.start_time - future(0) < dt.timedelta(hours=24)

    cancel(as_user, booking.client, booking, django_capture_on_commit_callbacks)

    [trainer_email] = [m for m in mail.outbox if m.to == [booking.trainer.user.email]]
    assert "Refunded to the client: 37.50 USD" in trainer_email.body
    assert "Your payout now:        31.87 USD" in trainer_email.body
