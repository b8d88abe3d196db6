"""Confirmation emails carry an invitation (METHOD:REQUEST); cancellation emails remove it
(METHOD:CANCEL) from the same event (same UID, higher SEQUENCE)."""

import pytest
from django.core import mail
from django.utils import timezone

from bookings.tests.calendar_helpers import invitation, utc_range
from notifications.delivery import notification_deliver
from notifications.services import (
    notify_booking_cancelled,
    notify_payment_succeeded,
    notify_refund_succeeded,
)
from notifications.tasks import RETRYABLE
from notifications.tests.factories import PaidPaymentFactory, RefundFactory

pytestmark = pytest.mark.django_db


def sent_to(email):
    [message] = [m for m in mail.outbox if m.to == [email]]
    return message


def the_event(message):
    method, calendar = invitation(message)
    [event] = list(calendar.walk("VEVENT"))
    return method, event


def test_the_receipt_and_the_trainers_notice_invite_both_to_the_session(commit):
    payment = PaidPaymentFactory()
    booking = payment.booking

    commit(notify_payment_succeeded, payment)

    for email, who in ((booking.client.email, "client"), (booking.trainer.user.email, "trainer")):
        method, event = the_event(sent_to(email))
        assert method == "REQUEST", who
        assert str(event["uid"]) == f"booking-{booking.pk}@127.0.0.1"
        assert event["sequence"] == 0
        assert utc_range(event) == (booking.start_time, booking.end_time)
        assert str(event["organizer"]) == "mailto:no-reply@fitconnect.local"
        attendees = {str(a) for a in event["attendee"]}
        assert attendees == {
            f"mailto:{booking.client.email}",
            f"mailto:{booking.trainer.user.email}",
        }


def test_a_retried_email_carries_the_same_invitation(commit):
    payment = PaidPaymentFactory()
    [receipt, _] = commit(notify_payment_succeeded, payment)
    first = mail.outbox[0].attachments[0].get_payload(decode=True)

    receipt.status = "queued"
    receipt.save(update_fields=["status"])
    mail.outbox.clear()
    notification_deliver(receipt.pk, retryable=RETRYABLE, final_attempt=False)

    assert mail.outbox[0].attachments[0].get_payload(decode=True) == first


def test_a_receipt_for_a_session_already_cancelled_invites_to_nothing(commit):
    payment = PaidPaymentFactory(booking__status="cancelled")
    commit(notify_payment_succeeded, payment)
    assert invitation(sent_to(payment.booking.client.email)) is None


def cancelled(payment, **kwargs):
    booking = payment.booking
    booking.status = "cancelled"
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = booking.client
    for name, value in kwargs.items():
        setattr(booking, name, value)
    booking.save()
    return booking


def test_the_trainers_cancellation_email_cancels_the_event(commit):
    payment = PaidPaymentFactory()
    booking = cancelled(payment, calendar_sequence=1)

    commit(notify_booking_cancelled, booking, None)

    method, event = the_event(sent_to(booking.trainer.user.email))
    assert method == "CANCEL"
    assert str(event["uid"]) == f"booking-{booking.pk}@127.0.0.1"
    assert event["sequence"] == 2
    assert str(event["status"]) == "CANCELLED"


def test_the_refund_of_a_cancelled_session_cancels_the_clients_event(commit):
    payment = PaidPaymentFactory()
    booking = cancelled(payment)
    refund = RefundFactory(payment=payment)

    commit(notify_refund_succeeded, refund)

    method, event = the_event(sent_to(booking.client.email))
    assert (method, str(event["status"]), event["sequence"]) == ("CANCEL", "CANCELLED", 1)


def test_a_goodwill_refund_of_a_session_still_on_leaves_the_calendar_alone(commit):
    refund = RefundFactory(amount=1000)
    commit(notify_refund_succeeded, refund)
    assert invitation(sent_to(refund.payment.booking.client.email)) is None
