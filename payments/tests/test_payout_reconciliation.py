"""Reconciliation of transfers: every completed session the client still paid for has exactly
one transfer of the trainer's share, and no other session has one; what is wrong is an alert."""

import datetime as dt

import pytest

from bookings.completion import booking_complete_due
from core.tests.factories import TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from payments.models import PaymentAlert, Transfer
from payments.reconciliation import reconcile_payments
from payments.reconciliation.summary import ReconcileSummary
from payments.reconciliation.transfers import check_transfers
from payments.tests.connect_helpers import FakeConnect, onboard

pytestmark = pytest.mark.django_db

END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake(stripe_requests):
    fake = FakeConnect()
    stripe_requests.answer(fake)
    return fake


def paid(**kwargs):
    trainer = onboard(TrainerProfileFactory())
    return PaidPaymentFactory(
        booking__trainer=trainer, booking__start_time=END - dt.timedelta(hours=1), **kwargs
    )


def check() -> ReconcileSummary:
    summary = ReconcileSummary()
    check_transfers(summary)
    return summary


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
