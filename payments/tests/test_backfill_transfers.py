"""manage.py backfill_transfers: a completed session with no Transfer row (completed before
transfers existed) gets the one the completion would have made, sent and posted to the ledger;
disputed and fully refunded sessions are skipped, and a second run creates nothing."""

import contextlib
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.completion import booking_complete_due, booking_completed
from core.tests.factories import BookingFactory, TrainerProfileFactory
from ledger.postings import ledger_post_payment
from ledger.selectors import trainer_owed
from ledger.verification import verify_ledger
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Refund, Transfer
from payments.receivers import transfer_on_completion
from payments.tests.connect_helpers import onboard

pytestmark = pytest.mark.django_db

END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)
RECEIVER = "payments.transfer_on_completion"


@contextlib.contextmanager
def before_connect():
    """Completions as they ran before transfers existed: nobody made the session's transfer."""
    booking_completed.disconnect(dispatch_uid=RECEIVER)
    try:
        yield
    finally:
        booking_completed.connect(transfer_on_completion, dispatch_uid=RECEIVER)


def session(trainer=None, **kwargs):
    trainer = trainer or onboard(TrainerProfileFactory())
    booking = BookingFactory(
        trainer=trainer,
        start_time=END - dt.timedelta(hours=1),
        status="confirmed",
        payment_status="paid",
        hold_expires_at=None,
    )
    payment = PaidPaymentFactory(booking=booking, **kwargs)
    ledger_post_payment(payment)  # the charge, as the success webhook posts it
    return payment


def complete_before_connect():
    with before_connect():
        return booking_complete_due(now=END + dt.timedelta(days=1))


def backfill(capture, *args) -> str:
    out = io.StringIO()
    with capture(execute=True):  # the sends queued after commit run, as a real commit's would
        call_command("backfill_transfers", *args, stdout=out)
    return out.getvalue()


def refunded(payment, amount):
    Refund.objects.create(
        payment=payment, stripe_refund_id=f"re_{payment.pk}", amount=amount, currency="usd",
        status="succeeded",
    )  # fmt: skip
    payment.refund_amount = amount
    payment.status = "refunded" if amount == payment.amount else "partially_refunded"
    payment.save()
    ledger_post_payment(payment)


def test_a_dry_run_prints_the_missing_transfer_and_changes_nothing(
    fake, stripe_requests, django_capture_on_commit_callbacks
):
    payment = session()
    assert complete_before_connect() == 1
    assert not Transfer.objects.exists()

    out = backfill(django_capture_on_commit_callbacks, "--dry-run")

    assert (
        f"Would create: session {payment.booking_id}, trainer {payment.trainer.pk}, "
        "63.75 USD (pending)"
    ) in out
    assert "Would create 1 transfer: 63.75 USD." in out
    assert not Transfer.objects.exists()
    assert stripe_requests.to("/v1/transfers") == []


def test_it_creates_and_sends_the_share_the_completion_would_have(
    fake, django_capture_on_commit_callbacks
):
    payment = session()
    complete_before_connect()

    out = backfill(django_capture_on_commit_callbacks)

    transfer = Transfer.objects.get()
    assert (transfer.booking_id, transfer.trainer_id) == (payment.booking_id, payment.trainer.pk)
    assert (transfer.amount, transfer.currency, transfer.status) == (6375, "usd", "sent")
    assert "Created 1 transfer: 63.75 USD." in out
    assert trainer_owed(payment.trainer.pk) == {"usd": 0}
    now = timezone.now()
    report = verify_ledger(start=now - dt.timedelta(days=1), end=now, everything=True,
                           ask_stripe=False)  # fmt: skip
    assert report.differences == [] and report.exit_code == 0


def test_a_second_run_creates_nothing(fake, stripe_requests, django_capture_on_commit_callbacks):
    session()
    complete_before_connect()
    backfill(django_capture_on_commit_callbacks)

    out = backfill(django_capture_on_commit_callbacks)

    assert "Created 0 transfers." in out
    assert Transfer.objects.count() == 1
    assert len(stripe_requests.to("/v1/transfers")) == 1


def test_a_trainer_without_payouts_gets_a_transfer_that_waits(
    fake, stripe_requests, django_capture_on_commit_callbacks
):
    session(trainer=TrainerProfileFactory())  # never onboarded
    complete_before_connect()

    backfill(django_capture_on_commit_callbacks)

    assert Transfer.objects.get().status == "pending"
    assert stripe_requests.to("/v1/transfers") == []


def test_disputed_and_fully_refunded_sessions_are_skipped(fake, django_capture_on_commit_callbacks):
    disputed, full = session(), session()
    complete_before_connect()
    disputed.status, disputed.dispute_id, disputed.dispute_status = (
        "disputed", "dp_1", "needs_response"
    )  # fmt: skip
    disputed.save()
    refunded(full, 7500)

    out = backfill(django_capture_on_commit_callbacks)

    assert "Created 0 transfers." in out
    assert not Transfer.objects.exists()


def test_a_partially_refunded_session_gets_the_share_after_the_refund(
    fake, django_capture_on_commit_callbacks
):
    payment = session()
    refunded(payment, 2500)
    complete_before_connect()

    out = backfill(django_capture_on_commit_callbacks)

    # 50.00 kept, the 15% fee on it is 7.50: the trainer's share is 42.50.
    assert Transfer.objects.get().amount == 4250
    assert "Created 1 transfer: 42.50 USD." in out


def test_a_session_the_completion_gave_a_transfer_is_left_alone(
    fake, django_capture_on_commit_callbacks
):
    session()
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete_due(now=END + dt.timedelta(days=1))

    out = backfill(django_capture_on_commit_callbacks, "--dry-run")

    assert "Would create 0 transfers." in out
    assert Transfer.objects.count() == 1
