"""Every movement of a payment's money posts once, balanced, and the ledger's figures of the
payment equal the row's own (net fee, net payout, refunds) to the cent."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.models import Account, Entry, Transaction
from ledger.postings import ledger_post_payment, post_transfer, post_transfer_reversal
from ledger.selectors import account_balances, payment_figures, trainer_owed
from ledger.tests.factories import collected_payment, refund_row
from payments.apply.derivation import payment_derive
from payments.models import Payment, Refund

pytestmark = pytest.mark.django_db
A = Account.Kind
T = Transaction.Kind


def balances_of(payment) -> dict[str, int]:
    """{account kind: balance} of the payment's postings (one currency, one trainer)."""
    entries = Entry.objects.filter(transaction__payment=payment)
    return {kind: amount for (kind, _t, _c), amount in account_balances(entries).items()}


def settle(payment) -> Payment:
    """Derive the payment's totals from its rows, as the payments code does, then post."""
    payment.refresh_from_db()
    payment_derive(payment)
    ledger_post_payment(payment)
    return payment


def assert_agrees_with_row(payment):
    payment.refresh_from_db()
    figures = payment_figures([payment.pk])[payment.pk]
    assert figures.refunded == payment.refund_amount
    assert figures.trainer == payment.net_trainer_payout
    assert figures.platform == payment.net_platform_fee
    assert figures.received == payment.amount - payment.refund_amount


def test_a_charge_puts_the_money_at_stripe_the_fee_in_revenue_and_the_rest_payable():
    payment = collected_payment(price=7500)

    [posted] = ledger_post_payment(payment)

    assert (posted.kind, posted.key, posted.payment_id) == (
        T.CHARGE,
        "charge:" + (payment.stripe_payment_intent_id),
        payment.pk,
    )
    assert sorted(posted.entries.values_list("account__kind", "amount")) == [
        (A.PLATFORM_FEES, -1125),
        (A.STRIPE_BALANCE, 7500),
        (A.TRAINER_PAYABLE, -6375),
    ]
    assert balances_of(payment) == {
        A.STRIPE_BALANCE: 7500,
        A.PLATFORM_FEES: 1125,
        A.TRAINER_PAYABLE: 6375,
    }
    assert trainer_owed(payment.trainer_id) == {"usd": 6375}


def test_posting_again_posts_nothing():
    payment = collected_payment()
    refund_row(payment, 1000)
    settle(payment)

    assert ledger_post_payment(payment) == []
    assert ledger_post_payment(Payment.objects.get(pk=payment.pk)) == []
    assert Transaction.objects.filter(payment=payment).count() == 2


@pytest.mark.parametrize(
    "status",
    [
        Payment.Status.PENDING,
        Payment.Status.FAILED,
        Payment.Status.CANCELED,
        Payment.Status.REQUIRES_REVIEW,
    ],
)
def test_a_payment_whose_money_we_do_not_hold_posts_nothing(status):
    payment = collected_payment(status=status)

    assert ledger_post_payment(payment) == []
    assert not Transaction.objects.exists()


def test_a_refund_gives_back_the_fee_on_the_refunded_part():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    refund = refund_row(payment, 3750)

    settle(payment)

    posted = Transaction.objects.get(kind=T.REFUND)
    assert (posted.refund_id, posted.key) == (refund.pk, f"refund:{refund.stripe_refund_id}")
    # The client paid 37.50 in the end: the fee is 15% of that (5.63), the trainer keeps 31.87.
    assert balances_of(payment) == {
        A.STRIPE_BALANCE: 3750,
        A.PLATFORM_FEES: 1125,
        A.REFUNDS: 562,
        A.TRAINER_PAYABLE: 3187,
    }
    assert_agrees_with_row(payment)


def test_when_the_platform_keeps_its_fee_the_trainer_bears_refunds_until_nothing_is_left(
    settings,
):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)

    refund_row(payment, 3750)
    settle(payment)
    assert balances_of(payment)[A.TRAINER_PAYABLE] == 6375 - 3750
    assert A.REFUNDS not in balances_of(payment)
    assert_agrees_with_row(payment)

    refund_row(payment, 3750)
    settle(payment)
    # Refunded in full: the trainer has nothing left to bear, the platform gives its fee back.
    assert balances_of(payment) == {
        A.STRIPE_BALANCE: 0,
        A.PLATFORM_FEES: 1125,
        A.REFUNDS: 1125,
        A.TRAINER_PAYABLE: 0,
    }
    assert_agrees_with_row(payment)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    price=st.integers(min_value=50, max_value=99_999),
    percent=st.sampled_from([Decimal("15"), Decimal("12.5"), Decimal("0"), Decimal("33.33")]),
    cuts=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=5),
    keeps_fee=st.booleans(),
)
def test_refunds_of_any_amounts_in_any_order_agree_with_the_row_to_the_cent(
    price, percent, cuts, keeps_fee, settings
):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = keeps_fee
    settings.PLATFORM_FEE_PERCENT = percent
    payment = collected_payment(price=price)
    ledger_post_payment(payment)
    left = price
    for cut in cuts:
        amount = min(cut, left)
        if amount == 0:
            break
        refund_row(payment, amount)
        left -= amount
        settle(payment)
        assert_agrees_with_row(payment)


def test_a_refund_that_fails_after_succeeding_is_reversed():
    payment = collected_payment(price=7550)
    ledger_post_payment(payment)
    kept = refund_row(payment, 1001)
    failed = refund_row(payment, 2999)
    settle(payment)

    failed.status = Refund.Status.FAILED
    failed.save()
    settle(payment)

    reversal = Transaction.objects.get(kind=T.REFUND_REVERSAL)
    assert (reversal.refund_id, reversal.key) == (
        failed.pk,
        f"refund_reversal:{failed.stripe_refund_id}",
    )
    assert balances_of(payment)[A.STRIPE_BALANCE] == 7550 - kept.amount
    assert_agrees_with_row(payment)
    assert ledger_post_payment(payment) == []


def test_a_dashboard_refund_recorded_before_the_success_is_posted_after_the_charge():
    payment = collected_payment(status=Payment.Status.PENDING)
    refund_row(payment, 7500, source=Refund.Source.DASHBOARD)
    assert ledger_post_payment(payment) == []

    payment.status = Payment.Status.SUCCEEDED
    payment.save()
    settle(payment)

    assert list(
        Transaction.objects.filter(payment=payment).order_by("id").values_list("kind", flat=True)
    ) == [T.CHARGE, T.REFUND]
    assert balances_of(payment)[A.STRIPE_BALANCE] == 0
    assert_agrees_with_row(payment)


def test_a_late_success_refunded_in_full_leaves_nothing_to_anyone():
    payment = collected_payment(price=9000)
    Payment.objects.filter(pk=payment.pk).update(
        refund_in_full_reason="Paid after the booking was cancelled."
    )
    ledger_post_payment(payment)
    refund_row(payment, 9000, source=Refund.Source.CANCELLATION)

    settle(payment)

    assert balances_of(payment) == {
        A.STRIPE_BALANCE: 0,
        A.PLATFORM_FEES: 1350,
        A.REFUNDS: 1350,
        A.TRAINER_PAYABLE: 0,
    }
    assert_agrees_with_row(payment)


def dispute(payment, status):
    payment.dispute_id, payment.dispute_status = "dp_ledger_1", status
    payment.save()
    return settle(payment)


def test_a_chargeback_withholds_what_the_refunds_left_and_a_won_one_returns_it():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    refund_row(payment, 1500)
    settle(payment)

    dispute(payment, "needs_response")
    assert balances_of(payment)[A.STRIPE_BALANCE] == 0
    assert balances_of(payment)[A.DISPUTES_PENDING] == 6000

    dispute(payment, "won")
    assert balances_of(payment)[A.STRIPE_BALANCE] == 6000
    assert balances_of(payment)[A.DISPUTES_PENDING] == 0
    assert_agrees_with_row(payment)
    assert list(
        Transaction.objects.filter(payment=payment).order_by("id").values_list("key", flat=True)
    )[-2:] == ["dispute_opened:dp_ledger_1", "dispute_won:dp_ledger_1"]


def test_a_chargeback_lost_before_the_transfer_costs_the_platform_its_fee_only():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)

    # Stripe's closed event can be the first we hear of it: opened and lost post together.
    dispute(payment, "lost")

    # The 75.00 is lost in full; the trainer's 63.75, never paid to them, recovers part of it.
    assert balances_of(payment) == {
        A.STRIPE_BALANCE: 0,
        A.DISPUTES_PENDING: 0,
        A.DISPUTE_LOSSES: 1125,
        A.PLATFORM_FEES: 1125,
        A.TRAINER_PAYABLE: 0,
    }
    assert ledger_post_payment(payment) == []
    assert Transaction.objects.filter(kind=T.DISPUTE_RECOVERY).count() == 1
    # What the payment itself moved is unchanged: the recovery settles the trainer's share.
    figures = payment_figures([payment.pk])[payment.pk]
    assert (figures.trainer, figures.lost) == (6375, 7500)


def transfer(payment, amount, stripe_id="tr_1"):
    post_transfer(
        transfer_id=stripe_id,
        trainer_id=payment.trainer_id,
        amount=amount,
        currency="usd",
        payment=payment,
    )


def reverse(payment, amount, stripe_id, *, for_lost_chargeback=True):
    post_transfer_reversal(
        reversal_id=stripe_id,
        trainer_id=payment.trainer_id,
        amount=amount,
        currency="usd",
        payment=payment,
        for_lost_chargeback=for_lost_chargeback,
    )


def test_a_chargeback_lost_after_the_transfer_recovers_nothing_until_the_reversal():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    transfer(payment, 6375)

    dispute(payment, "lost")
    assert not Transaction.objects.filter(kind=T.DISPUTE_RECOVERY).exists()
    assert balances_of(payment)[A.DISPUTE_LOSSES] == 7500

    reverse(payment, 6375, "trr_lost")
    assert balances_of(payment)[A.DISPUTE_LOSSES] == 1125
    assert trainer_owed(payment.trainer_id) == {"usd": 0}


def test_a_transfer_made_after_the_share_was_recovered_is_only_taken_back():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    dispute(payment, "lost")  # recovers the 63.75 not paid yet...

    transfer(payment, 6375)  # ...which Stripe pays all the same (the request was on its way)
    assert trainer_owed(payment.trainer_id) == {"usd": -6375}
    reverse(payment, 6375, "trr_back")

    # Recovered once: the reversal settles what the trainer owed back, nothing more.
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    assert balances_of(payment)[A.DISPUTE_LOSSES] == 1125
    assert ledger_post_payment(payment) == []


@pytest.mark.parametrize("lost_first", [True, False])
def test_reversals_after_a_refund_and_a_lost_chargeback_recover_the_share_once(lost_first):
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    transfer(payment, 6375)
    refund_row(payment, 2500)  # after the transfer: the trainer owes 21.25 back
    settle(payment)
    dispute(payment, "lost")  # the 50.00 left is lost

    # The refund's reversal may succeed after the chargeback is lost, before or after the
    # chargeback's own (the 42.50 left of the share).
    reversals = [(4250, "trr_lost"), (2125, "trr_refund")]
    for amount, stripe_id in reversals if lost_first else reversals[::-1]:
        reverse(payment, amount, stripe_id)

    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    # 50.00 lost, 42.50 of it recovered from the trainer: the fee on 50.00 is the loss.
    assert balances_of(payment)[A.DISPUTE_LOSSES] == 750


def test_an_inquiry_withholds_nothing():
    payment = collected_payment()
    ledger_post_payment(payment)

    dispute(payment, "warning_needs_response")

    assert list(Transaction.objects.values_list("kind", flat=True)) == [T.CHARGE]


def test_a_transfer_pays_the_trainer_out_of_the_stripe_balance_and_a_reversal_brings_it_back():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)

    post_transfer(
        transfer_id="tr_1",
        trainer_id=payment.trainer_id,
        amount=6375,
        currency="usd",
        payment=payment,
    )
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    # A refund after the transfer: the trainer owes their part back...
    refund_row(payment, 7500)
    settle(payment)
    assert trainer_owed(payment.trainer_id) == {"usd": -6375}
    # ...which the reversal of their part of the transfer recovers.
    post_transfer_reversal(
        reversal_id="trr_1",
        trainer_id=payment.trainer_id,
        amount=6375,
        currency="usd",
        payment=payment,
    )
    assert (
        post_transfer_reversal(
            reversal_id="trr_1",
            trainer_id=payment.trainer_id,
            amount=6375,
            currency="usd",
            payment=payment,
        )
        is None
    )
    assert trainer_owed(payment.trainer_id) == {"usd": 0}
    assert balances_of(payment)[A.STRIPE_BALANCE] == 0
    # What the payment brought the trainer and the platform is unchanged by transfers.
    assert_agrees_with_row(payment)
