"""On seeded data the ledger is in order and every figure shown from the payment rows equals it
to the cent: `make run`'s demo data leaves verify_ledger at exit 0, and on seed_analytics' mix
of declines, refunds (ours and the Dashboard's) and disputes, posted by backfill_ledger, the
analytics dashboard's and the trainer's earnings figures are the ledger's balances.

The dashboard and the earnings page read the rows' after-refund columns (grouped by the
payment's creation day over up to a million payments, with their own indexes); the ledger posts
each movement when it happens. The figures agree because each movement posts what those
columns say (Payment.payout_after_refunds), which verify_ledger checks payment by payment, and
because a lost chargeback's share, which the ledger recovers from the trainer before or after
the transfer, is counted by both as recovered instead of paid."""

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from analytics.selectors import analytics_summary
from core.money import decimals
from ledger.models import Account, Entry, Transaction, Verification
from ledger.postings import ledger_catch_up
from ledger.selectors import (
    account_balances,
    platform_revenue,
    trainers_earned,
    trainers_recovered,
)
from payments.apply.disputes import payment_apply_dispute
from payments.apply.transfers import (
    reversal_apply_succeeded,
    trainer_share,
    transfer_apply_sent,
)
from payments.models import Payment, Transfer, TransferReversal
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db
A = Account.Kind
T = Transaction.Kind


@pytest.mark.stripe
def test_the_demo_data_leaves_verify_ledger_at_exit_0(localstripe, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # a second run posts nothing twice
    out = io.StringIO()

    for args in ([], ["--all"]):
        call_command("verify_ledger", *args, stdout=out)  # raises CommandError unless exit 0

    collected = Payment.objects.filter(status__in=Payment.COLLECTED_STATUSES)
    assert collected.count() == Transaction.objects.filter(kind=T.CHARGE).count() > 0
    assert list(Verification.objects.values_list("exit_code", flat=True)) == [0, 0]
    assert "The ledger agrees with the payment rows and Stripe." in out.getvalue()


@pytest.fixture
def seeded():
    call_command("seed_analytics", payments=300, seed=7, days=200, stdout=io.StringIO())
    collected = Payment.objects.filter(status__in=Payment.COLLECTED_STATUSES).order_by("pk")
    # A chargeback lost before its share was transferred (the seed's mix may have none): the
    # ledger keeps the share back from the trainer (dispute_recovery), posted by the backfill.
    before = collected.filter(status=Payment.Status.SUCCEEDED)[0]
    Payment.objects.filter(pk=before.pk).update(
        status=Payment.Status.DISPUTED, dispute_id="dp_seed_lost", dispute_status="lost"
    )
    ledger_catch_up()
    # One lost after its share (what a partial refund left of it) was transferred: the dispute
    # arrives as the webhook applies it, and the reversal of the share recovers part of the loss.
    after = collected.filter(status=Payment.Status.PARTIALLY_REFUNDED)[0]
    with transaction.atomic():
        after = Payment.objects.select_for_update().get(pk=after.pk)
        transfer = Transfer.objects.create(
            booking_id=after.booking_id,
            payment=after,
            trainer_id=after.trainer_id,
            amount=trainer_share(after),
            currency=after.currency,
        )
        transfer_apply_sent(transfer, {"id": "tr_seed_lost", "amount": transfer.amount})
        payment_apply_dispute(after, {"id": "dp_seed_lost_after", "status": "lost"})
        reversal = TransferReversal.objects.get(transfer=transfer)
        reversal_apply_succeeded(reversal, {"id": "trr_seed_lost"})
    return timezone.now().date()


def test_the_dashboards_figures_are_the_ledgers(seeded):
    today = seeded
    summary = analytics_summary(start=today - dt.timedelta(days=210), end=today)

    revenue = platform_revenue()
    balances = account_balances()
    recovered = defaultdict(int)
    for (_trainer, currency), amount in trainers_recovered().items():
        recovered[currency] += amount
    # Owed to trainers: the seed's only transfer was taken back whole (a lost chargeback), so
    # the payables are the trainers' shares after refunds and lost chargebacks.
    payable = defaultdict(int)
    for (kind, _trainer, currency), amount in balances.items():
        if kind == A.TRAINER_PAYABLE:
            payable[currency] += amount
    assert sorted(summary["currencies"]) == sorted(revenue)
    assert set(recovered) == {"usd"}
    for currency, figures in summary["currencies"].items():
        charged = Entry.objects.filter(
            transaction__kind=T.CHARGE, account__kind=A.STRIPE_BALANCE, currency=currency
        )
        assert figures["gross"] == sum(charged.values_list("amount", flat=True))
        assert figures["fees"] == revenue[currency].net_of_refunds
        assert figures["payouts"] == payable[currency]
        assert figures["disputes_lost_amount"] == revenue[currency].dispute_losses
        assert figures["disputes_recovered_amount"] == recovered[currency]
        assert figures["refund_amount"] > 0
        assert figures["net_revenue"] == (
            balances[A.STRIPE_BALANCE, None, currency]
            + balances.get((A.DISPUTES_PENDING, None, currency), 0)
        )
        assert figures["fees"] + figures["payouts"] + figures["disputes_recovered_amount"] == (
            figures["gross"] - figures["refund_amount"]
        )


def test_each_trainers_earnings_are_the_ledgers(seeded, as_user):
    earned, recovered = trainers_earned(), trainers_recovered()
    trainers = TrainerProfile.objects.select_related("user")
    assert trainers.count() > 1
    assert len(recovered) == 2  # the two lost chargebacks' trainers (seed 7: two trainers)

    for trainer in trainers:
        response = as_user(trainer.user).get("/api/v1/analytics/earnings/?months=12")
        assert response.status_code == 200
        net, lost = defaultdict(int), defaultdict(int)
        for month in response.json()["months"]:
            places = decimals(month["currency"])
            net[month["currency"]] += int(Decimal(month["net"]).scaleb(places))
            lost[month["currency"]] += int(Decimal(month["disputes_lost"]).scaleb(places))
        mine = {c: amount for (t, c), amount in earned.items() if t == trainer.pk and amount}
        assert {c: n for c, n in net.items() if n} == mine
        mine = {c: amount for (t, c), amount in recovered.items() if t == trainer.pk}
        assert {c: n for c, n in lost.items() if n} == mine
