"""The trainer's share after a session: one Transfer when it is completed, sent with the charge
as source_transaction; refunds before it touch only the platform, refunds and lost chargebacks
after it take the trainer's part back (TransferReversal). Each posts to the ledger."""

import datetime as dt

import pytest

from bookings.completion import booking_complete_due
from core.tests.factories import BookingFactory, TrainerProfileFactory
from ledger.models import Entry, Transaction
from ledger.postings import ledger_post_payment
from ledger.selectors import platform_revenue, trainer_owed
from notifications.tests.factories import PaidPaymentFactory
from payments.commands.transfers import transfer_hold, transfer_release
from payments.models import PaymentAlert, Refund, Transfer, TransferReversal
from payments.tests import stripe_events as se
from payments.tests.connect_helpers import (
    account,
    connect_event,
    onboard,
    post_connect,
)

pytestmark = pytest.mark.django_db

END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)
AFTER_GRACE = END + dt.timedelta(days=1)


def session(trainer=None, **kwargs):
    trainer = trainer or onboard(TrainerProfileFactory(), "acct_coach")
    booking = BookingFactory(
        trainer=trainer,
        start_time=END - dt.timedelta(hours=1),
        status="confirmed",
        payment_status="paid",
        hold_expires_at=None,
    )
    return PaidPaymentFactory(booking=booking, **kwargs)


def complete(run):
    return run(booking_complete_due, now=AFTER_GRACE)


def ledger(kind):
    return [
        (t.stripe_id, sum(e.amount for e in t.entries.all() if e.amount > 0))
        for t in Transaction.objects.filter(kind=kind).prefetch_related("entries")
    ]


def test_a_completed_session_sends_the_trainers_share(run, fake, stripe_requests):
    payment = session()

    assert complete(run) == 1

    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.currency, transfer.status) == (6375, "usd", "sent")
    assert transfer.stripe_transfer_id.startswith("tr_test_")
    [request] = stripe_requests.to("/v1/transfers")
    assert request.headers["Idempotency-Key"] == f"transfer:{transfer.pk}"
    assert request.params == {
        "amount": "6375",
        "currency": "usd",
        "destination": "acct_coach",
        "source_transaction": payment.stripe_charge_id,
        "transfer_group": f"booking_{payment.booking_id}",
        "metadata[transfer_id]": str(transfer.pk),
        "metadata[booking_id]": str(payment.booking_id),
    }
    assert ledger(Transaction.Kind.TRANSFER) == [(transfer.stripe_transfer_id, 6375)]


def test_a_second_run_sends_nothing_more(run, fake, stripe_requests):
    session()
    complete(run)

    assert complete(run) == 0
    assert Transfer.objects.count() == 1
    assert len(stripe_requests.to("/v1/transfers")) == 1


def test_a_partial_refund_before_completion_lowers_the_share(run, fake):
    payment = session()
    Refund.objects.create(
        payment=payment, stripe_refund_id="re_1", amount=2500, currency="usd", status="succeeded"
    )
    payment.refund_amount, payment.status = 2500, "partially_refunded"
    payment.save()
    payment.booking.payment_status = "partially_refunded"
    payment.booking.save()

    complete(run)

    # 50.00 kept, the 15% fee on it is 7.50: the trainer's share is 42.50.
    assert Transfer.objects.get().amount == 4250
    assert not TransferReversal.objects.exists()


def test_no_transfer_after_a_refund_in_full(run, fake, api):
    payment = session()
    refund = se.refund("re_full", 7500)
    se.post(api, se.event("charge.refunded", se.charge(payment, refunds=[refund])))

    assert complete(run) == 0
    assert not Transfer.objects.exists()


def test_a_refund_after_the_transfer_takes_the_trainers_part_back(run, fake, api):
    payment = session()
    complete(run)
    transfer = Transfer.objects.get()

    refund = se.refund("re_after", 2500)
    run(se.post, api, se.event("charge.refunded", se.charge(payment, refunds=[refund])))

    reversal = TransferReversal.objects.get()
    # The share falls from 63.75 to 42.50: 21.25 comes back from the trainer.
    assert (reversal.amount, reversal.status, reversal.transfer_id) == (
        2125,
        "succeeded",
        transfer.pk,
    )
    assert fake.transfers[transfer.stripe_transfer_id]["amount_reversed"] == 2125
    assert ledger(Transaction.Kind.TRANSFER_REVERSAL) == [(reversal.stripe_reversal_id, 2125)]


def test_a_lost_dispute_after_the_transfer_takes_the_whole_share_back(run, fake, api):
    payment = session()
    complete(run)
    transfer = Transfer.objects.get()

    run(
        se.post,
        api,
        se.event("charge.dispute.created", se.dispute(payment, status="needs_response")),
    )
    assert not TransferReversal.objects.exists()  # open: nothing is lost yet
    run(se.post, api, se.event("charge.dispute.closed", se.dispute(payment, status="lost")))

    reversal = TransferReversal.objects.get()
    assert (reversal.amount, reversal.status) == (6375, "succeeded")
    assert "lost" in reversal.reason
    assert fake.transfers[transfer.stripe_transfer_id]["amount_reversed"] == 6375


def test_a_replayed_refund_reverses_once(run, fake, api):
    payment = session()
    complete(run)
    evt = se.event("charge.refunded", se.charge(payment, refunds=[se.refund("re_x", 7500)]))

    run(se.post, api, evt)
    run(se.post, api, evt)

    assert [r.amount for r in TransferReversal.objects.all()] == [6375]


def test_a_trainer_without_payouts_waits_until_stripe_enables_them(run, fake, api):
    trainer = TrainerProfileFactory(stripe_account_id="acct_later")
    session(trainer=trainer)

    complete(run)
    transfer = Transfer.objects.get()
    assert (transfer.status, transfer.stripe_transfer_id) == ("pending", None)

    fake.accounts["acct_later"] = account("acct_later", payouts=True)
    run(post_connect, api, connect_event("account.updated", fake.accounts["acct_later"]))

    transfer.refresh_from_db()
    assert (transfer.status, transfer.destination, transfer.amount) == ("sent", "acct_later", 6375)


def test_an_admin_hold_keeps_the_transfer_until_released(run, fake):
    trainer = onboard(TrainerProfileFactory(payouts_held=True), "acct_held")
    session(trainer=trainer)

    complete(run)
    transfer = Transfer.objects.get()
    assert transfer.status == "held"

    assert run(transfer_release, transfer.pk) is True
    transfer.refresh_from_db()
    assert transfer.status == "sent"
    assert transfer_hold(transfer.pk, reason="too late") is False


def test_a_transfer_stripe_refuses_is_failed_and_alerts(run, fake):
    session()
    fake.refuse.add("/v1/transfers")

    complete(run)

    transfer = Transfer.objects.get()
    assert (transfer.status, transfer.stripe_transfer_id) == ("failed", None)
    assert transfer.failure_message
    assert PaymentAlert.objects.get().kind == PaymentAlert.Kind.TRANSFER_FAILED
    assert not Entry.objects.filter(transaction__kind=Transaction.Kind.TRANSFER).exists()


def test_a_transfer_event_records_a_transfer_whose_answer_was_lost(run, fake, api):
    trainer = onboard(TrainerProfileFactory(payouts_held=True), "acct_lost")
    session(trainer=trainer)
    complete(run)
    transfer = Transfer.objects.get()
    stripe_transfer = {
        "id": "tr_from_event", "object": "transfer", "amount": 6375, "currency": "usd",
        "destination": "acct_lost", "metadata": {"transfer_id": str(transfer.pk)},
        "reversals": {"object": "list", "data": [], "has_more": False},
    }  # fmt: skip

    for _ in range(2):  # and a copy
        response = se.post(api, se.event("transfer.created", stripe_transfer))
        assert response.status_code == 200

    transfer.refresh_from_db()
    assert (transfer.status, transfer.stripe_transfer_id) == ("sent", "tr_from_event")
    assert ledger(Transaction.Kind.TRANSFER) == [("tr_from_event", 6375)]


def test_the_ledger_owes_the_trainer_nothing_once_paid_and_after_a_reversal(run, fake, api):
    payment = session()
    ledger_post_payment(payment)  # the charge, as the success webhook posts it
    trainer = payment.trainer
    assert trainer_owed(trainer.pk) == {"usd": 6375}

    complete(run)
    assert trainer_owed(trainer.pk) == {"usd": 0}

    refund = se.refund("re_late", 2500)
    run(se.post, api, se.event("charge.refunded", se.charge(payment, refunds=[refund])))

    # The refund takes 21.25 of the trainer's share; the reversal takes it back from them.
    assert TransferReversal.objects.get().amount == 2125
    assert trainer_owed(trainer.pk) == {"usd": 0}


def test_a_lost_chargeback_after_the_transfer_leaves_the_trainer_owed_nothing(run, fake, api):
    payment = session()
    ledger_post_payment(payment)  # the charge, as the success webhook posts it
    trainer = payment.trainer
    complete(run)

    run(
        se.post,
        api,
        se.event("charge.dispute.created", se.dispute(payment, status="needs_response")),
    )
    run(se.post, api, se.event("charge.dispute.closed", se.dispute(payment, status="lost")))

    assert TransferReversal.objects.get().amount == 6375
    # The chargeback took the whole 75.00 from the platform; taking the trainer's 63.75 back
    # recovers that part of the loss instead of making the platform owe it to them again.
    assert trainer_owed(trainer.pk) == {"usd": 0}
    assert platform_revenue()["usd"].dispute_losses == 1125
