"""A chargeback lost before the session's share reached the trainer: the platform lost the client's
money, so the trainer's share is never paid and is no longer owed to them. It recovers part of
the dispute loss, as the reversal of a transfer does for a chargeback lost after it: the trainer
ends owed 0 and the platform's net loss is its fee share, whichever way the loss arrives."""

import datetime as dt

import pytest

from bookings.completion import booking_complete_due
from core.tests.factories import BookingFactory, TrainerProfileFactory
from ledger.models import Transaction
from ledger.postings import ledger_catch_up, ledger_post_payment
from ledger.selectors import platform_revenue, trainer_owed
from ledger.verification import verify_ledger
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Transfer, TransferReversal
from payments.reconciliation.refunds import check_disputes
from payments.reconciliation.summary import ReconcileSummary
from payments.tests import stripe_events as se
from payments.tests.connect_helpers import onboard

pytestmark = pytest.mark.django_db

END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)
AFTER_GRACE = END + dt.timedelta(days=1)
T = Transaction.Kind


def session(trainer=None):
    """75.00 paid for a session that ended at END, its charge posted as the success webhook
    posts it."""
    trainer = trainer or onboard(TrainerProfileFactory(), "acct_coach")
    booking = BookingFactory(
        trainer=trainer,
        start_time=END - dt.timedelta(hours=1),
        status="confirmed",
        payment_status="paid",
        hold_expires_at=None,
    )
    payment = PaidPaymentFactory(booking=booking)
    ledger_post_payment(payment)
    return payment


def dispute(run, api, payment, *statuses, event="charge.dispute.updated"):
    for status in statuses:
        response = run(se.post, api, se.event(event, se.dispute(payment, status=status)))
        assert response.status_code == 200, response.content


def lose(run, api, payment):
    dispute(run, api, payment, "needs_response", event="charge.dispute.created")
    dispute(run, api, payment, "lost", event="charge.dispute.closed")


def owed_in_the_api(as_user, trainer) -> list[dict]:
    return as_user(trainer.user).get("/api/v1/trainers/me/payouts/").json()["owed"]


def recoveries() -> list[tuple[str, int]]:
    return list(
        Transaction.objects.filter(kind=T.DISPUTE_RECOVERY).values_list("key", "trainer_id")
    )


def assert_ledger_agrees_with_the_rows():
    report = verify_ledger(
        start=END - dt.timedelta(days=3650), end=AFTER_GRACE, everything=True, ask_stripe=False
    )
    assert report.differences == []


def test_a_chargeback_lost_before_completion_leaves_the_trainer_owed_nothing(
    run, fake, api, as_user, client, stripe_requests
):
    payment = session()
    trainer = payment.trainer
    assert trainer_owed(trainer.pk) == {"usd": 6375}

    lose(run, api, payment)

    # The chargeback took the whole 75.00; the trainer's 63.75 is never paid, so it is no longer
    # owed to them and recovers that part of the loss: the platform loses its 11.25 fee.
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert owed_in_the_api(as_user, trainer) == [{"amount": "0.00", "currency": "usd"}]
    client.force_login(trainer.user)
    page = client.get("/trainer/payouts/").content.decode()
    assert '<li class="owed">0.00 USD</li>' in page and "63.75" not in page
    assert recoveries() == [("dispute_recovery:dp_test_1", trainer.pk)]

    # The session's time passes: a disputed session is never completed, nothing is transferred.
    assert run(booking_complete_due, now=AFTER_GRACE) == 0
    assert not Transfer.objects.exists()
    assert stripe_requests.to("/v1/transfers") == []
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert_ledger_agrees_with_the_rows()


def test_a_partial_refund_before_the_lost_chargeback_leaves_the_trainer_owed_nothing(
    run, fake, api, as_user
):
    payment = session()
    trainer = payment.trainer
    refund = se.refund("re_goodwill", 2500)
    run(se.post, api, se.event("charge.refunded", se.charge(payment, refunds=[refund])))
    # 50.00 kept, the 15% fee on it is 7.50: the trainer's share is 42.50.
    assert trainer_owed(trainer.pk) == {"usd": 4250}

    lose(run, api, payment)

    # The chargeback took the 50.00 left; the trainer's 42.50 recovers part of it.
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 5000 - 4250
    assert owed_in_the_api(as_user, trainer) == [{"amount": "0.00", "currency": "usd"}]
    assert run(booking_complete_due, now=AFTER_GRACE) == 0
    assert not Transfer.objects.exists()
    assert_ledger_agrees_with_the_rows()


def test_a_transfer_still_waiting_is_canceled_and_the_share_recovered(run, fake, api):
    # No payouts yet: the completed session's transfer waits for Stripe to enable them.
    trainer = TrainerProfileFactory(stripe_account_id="acct_later")
    payment = session(trainer=trainer)
    run(booking_complete_due, now=AFTER_GRACE)
    transfer = Transfer.objects.get()
    assert transfer.status == "pending"

    lose(run, api, payment)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.stripe_transfer_id) == ("canceled", None)
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert_ledger_agrees_with_the_rows()


def test_a_transfer_in_flight_when_the_chargeback_is_lost_is_taken_back_once(
    run, fake, api, stripe_requests
):
    payment = session()
    trainer = payment.trainer

    def lost_while_the_transfer_is_on_its_way(captured):
        # The dispute is lost (and the unsent transfer canceled, the share recovered) after our
        # row was sent and before Stripe's answer is recorded: Stripe made the transfer anyway.
        if captured.path == "/v1/transfers" and payment.dispute_status != "lost":
            lose(run, api, payment)
            payment.refresh_from_db()
        return fake(captured)

    stripe_requests.answer(lost_while_the_transfer_is_on_its_way)
    run(booking_complete_due, now=AFTER_GRACE)

    transfer = Transfer.objects.get()
    assert (transfer.status, transfer.amount) == ("sent", 6375)
    reversal = TransferReversal.objects.get()
    assert (reversal.amount, reversal.status) == (6375, "succeeded")
    assert fake.transfers[transfer.stripe_transfer_id]["amount_reversed"] == 6375
    # Recovered once: by the posting when the chargeback was lost; the reversal then only
    # takes back what the transfer paid, so the trainer is neither owed nor owes anything.
    assert len(recoveries()) == 1
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert_ledger_agrees_with_the_rows()


def test_a_lost_chargeback_delivered_twice_and_before_its_creation_recovers_once(run, fake, api):
    payment = session()

    dispute(run, api, payment, "lost", event="charge.dispute.closed")
    dispute(run, api, payment, "lost", event="charge.dispute.closed")
    dispute(run, api, payment, "needs_response", event="charge.dispute.created")

    payment.refresh_from_db()
    assert (payment.status, payment.dispute_status) == ("disputed", "lost")
    assert len(recoveries()) == 1
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert ledger_catch_up() == 0
    assert_ledger_agrees_with_the_rows()


def test_a_won_delivered_after_lost_changes_nothing(run, fake, api, stripe_requests):
    payment = session()
    lose(run, api, payment)

    # Stripe's outcome of a dispute is final; a contradicting late event is not applied (the
    # session would be completed and its share transferred after the trainer's share recovered
    # the loss).
    dispute(run, api, payment, "won", event="charge.dispute.closed")

    payment.refresh_from_db()
    assert (payment.status, payment.dispute_status) == ("disputed", "lost")
    assert run(booking_complete_due, now=AFTER_GRACE) == 0
    assert stripe_requests.to("/v1/transfers") == []
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert_ledger_agrees_with_the_rows()


def test_reconciliation_reading_a_lost_dispute_recovers_the_share(run, fake, api, stripe_requests):
    payment = session()
    dispute(run, api, payment, "needs_response", event="charge.dispute.created")
    # charge.dispute.closed never arrives; reconciliation reads the dispute again.
    closed = se.dispute(payment, status="lost")
    stripe_requests.answer(
        lambda captured: (200, closed) if captured.path == "/v1/disputes/dp_test_1" else None
    )

    summary = ReconcileSummary()
    run(check_disputes, summary)

    payment.refresh_from_db()
    assert (summary.disputes_checked, payment.dispute_status) == (1, "lost")
    assert recoveries() == [("dispute_recovery:dp_test_1", payment.trainer_id)]
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
    assert_ledger_agrees_with_the_rows()
