"""Reconciliation of transfers: every completed session the client still paid for has exactly
one transfer of the trainer's share, and no other session has one; what is wrong is an alert."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.completion import booking_complete_due
from bookings.models import Booking
from core.tests.factories import TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Payment, PaymentAlert, Transfer
from payments.reconciliation import reconcile_payments
from payments.reconciliation.summary import ReconcileSummary
from payments.reconciliation.transfers import check_transfers
from payments.tests.connect_helpers import onboard

pytestmark = pytest.mark.django_db

END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)


def paid(**kwargs):
    trainer = onboard(TrainerProfileFactory())
    return PaidPaymentFactory(
        booking__trainer=trainer, booking__start_time=END - dt.timedelta(hours=1), **kwargs
    )


def check(*, everything=False) -> ReconcileSummary:
    summary = ReconcileSummary()
    check_transfers(timezone.now(), summary, everything=everything)
    return summary


def completed(payment, *, transfer_amount=None):
    """The session completed; with transfer_amount, paid out with a transfer of that amount."""
    payment.booking.status = "completed"
    payment.booking.save()
    if transfer_amount is not None:
        Transfer.objects.create(
            booking=payment.booking, payment=payment, trainer=payment.trainer,
            amount=transfer_amount, currency="usd", status="sent",
            stripe_transfer_id=f"tr_{payment.pk}",
        )  # fmt: skip
    return payment


def last_changed_long_ago(payment):
    """As a session completed and paid out months ago, untouched since."""
    long_ago = timezone.now() - dt.timedelta(days=90)
    Booking.objects.filter(pk=payment.booking_id).update(updated_at=long_ago)
    Payment.objects.filter(pk=payment.pk).update(updated_at=long_ago)
    Transfer.objects.filter(payment=payment).update(updated_at=long_ago)


def alerts() -> list[str]:
    return list(PaymentAlert.objects.values_list("message", flat=True))


def test_sessions_paid_as_they_should_be_raise_nothing(fake, django_capture_on_commit_callbacks):
    paid(), paid()
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete_due(now=END + dt.timedelta(days=1))

    summary = check()

    assert summary.transfers_checked == 2
    assert summary.changes == [] and alerts() == []
    assert [t.status for t in Transfer.objects.all()] == ["sent", "sent"]


def test_a_completed_session_without_a_transfer_alerts(fake):
    payment = paid()
    payment.booking.status = "completed"
    payment.booking.save()

    summary = check()

    [message] = alerts()
    assert f"Session {payment.booking_id} is completed but has no transfer" in message
    assert "63.75 USD" in message
    assert "Run `manage.py backfill_transfers` to create it" in message
    assert summary.changes == [message]


def test_a_transfer_of_the_wrong_amount_alerts(fake):
    payment = paid()
    payment.booking.status = "completed"
    payment.booking.save()
    Transfer.objects.create(
        booking=payment.booking, payment=payment, trainer=payment.trainer, amount=7500,
        currency="usd", status="sent", stripe_transfer_id="tr_too_much",
    )  # fmt: skip

    check()

    [message] = alerts()
    assert "pays 75.00 USD" in message and "share is 63.75 USD" in message


def test_a_transfer_for_a_session_not_completed_alerts(fake):
    payment = paid()  # confirmed, not completed
    Transfer.objects.create(
        booking=payment.booking, payment=payment, trainer=payment.trainer, amount=6375,
        currency="usd", status="pending",
    )  # fmt: skip

    check()

    [message] = alerts()
    assert "which should have none" in message


def test_reconcile_payments_sends_what_waits_and_checks(fake):
    payment = paid()
    payment.booking.status = "completed"
    payment.booking.save()
    Transfer.objects.create(
        booking=payment.booking, payment=payment, trainer=payment.trainer, amount=6375,
        currency="usd", status="pending",
    )  # fmt: skip

    summary = reconcile_payments(now=END + dt.timedelta(days=2))

    assert Transfer.objects.get().status == "sent"
    assert summary.transfers_checked == 1
    assert alerts() == []


def test_an_old_session_paid_right_is_not_fetched_again(fake):
    last_changed_long_ago(completed(paid(), transfer_amount=6375))

    summary = check()

    assert summary.transfers_checked == 0


def test_a_run_costs_the_same_however_many_old_sessions_there_are(fake):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            check()
        return len(captured)

    completed(paid(), transfer_amount=6375)  # a recent one, checked
    last_changed_long_ago(completed(paid(), transfer_amount=6375))
    with_one = queries()
    for _ in range(10):
        last_changed_long_ago(completed(paid(), transfer_amount=6375))

    assert queries() == with_one


def test_a_recent_session_with_a_wrong_transfer_still_alerts(fake):
    last_changed_long_ago(completed(paid(), transfer_amount=6375))
    recent = completed(paid(), transfer_amount=7500)

    summary = check()

    assert summary.transfers_checked == 1
    [message] = alerts()
    assert f"session {recent.booking_id}; the trainer's share is 63.75 USD" in message


def test_a_refund_lately_checks_an_old_session_again(fake):
    payment = completed(paid(), transfer_amount=6375)
    last_changed_long_ago(payment)
    payment.refund_amount, payment.status = 2500, "partially_refunded"
    payment.save()  # a refund recorded lately, its reversal never reserved

    check()

    [message] = alerts()
    assert "pays 63.75 USD" in message and "share is 42.50 USD" in message


def test_everything_finds_an_old_wrong_transfer(fake):
    wrong = completed(paid(), transfer_amount=7500)
    last_changed_long_ago(wrong)
    assert check().transfers_checked == 0 and alerts() == []

    summary = reconcile_payments(everything=True)

    assert summary.transfers_checked == 1
    [message] = alerts()
    assert f"pays 75.00 USD for session {wrong.booking_id}" in message
