"""Names are typed by users: 150 characters each, with newlines and markup. Everything built from
them (subjects, headers, bodies) stays within its column and on one line. On PostgreSQL, which
enforces varchar lengths, a 301-character name made the receipt task fail and cancelling a 500;
a newline made the trainer's email fail for ever (an email header cannot hold one)."""

import pytest
from django.core import mail

from accounts.models import User
from notifications.models import EmailNotification
from notifications.services import notify_payment_succeeded

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]

LONG = ("Anna\n<script>alert(1)</script> " * 6)[:150]


def test_long_names_with_newlines_and_markup_send_every_email(
    paid_booking, commit, as_user, django_capture_on_commit_callbacks
):
    booking, payment = paid_booking()
    User.objects.filter(pk__in=[booking.client_id, booking.trainer.user_id]).update(
        first_name=LONG, last_name=LONG
    )
    payment.refresh_from_db()

    commit(notify_payment_succeeded, payment)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = as_user(booking.client).post(
            f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Ill"}, format="json"
        )

    assert cancelled.status_code == 200, cancelled.content
    kinds = set(EmailNotification.objects.values_list("kind", "status"))
    assert {
        ("payment_succeeded", "sent"),
        ("trainer_new_booking", "sent"),
        ("refund_succeeded", "sent"),
        ("trainer_booking_cancelled", "sent"),
    } <= kinds, kinds
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert len(message.subject) <= 255
        assert "\n" not in message.subject
        assert "<script>" not in message.alternatives[0].content
        message.message()  # the headers are valid (BadHeaderError otherwise)
