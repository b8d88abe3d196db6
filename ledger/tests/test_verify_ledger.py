"""manage.py verify_ledger: the ledger against itself, the payment rows and Stripe; a report,
a stored result, and an exit code that says which: 0 agrees, 1 differences, 2 no Stripe."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ledger.models import Account, Transaction, Verification
from ledger.postings import _post_dispute, ledger_post_payment
from ledger.tests.factories import (
    collected_payment,
    paid_at_stripe,
    refund_row,
    refunded_at_stripe,
)
from ledger.verification import KEEP
from payments.apply.derivation import payment_derive
from payments.models import Payment, Refund

pytestmark = pytest.mark.django_db


def verify(*args) -> tuple[int, str]:
    """(exit code, report) of verify_ledger with `args`."""
    out = io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out)
    except CommandError as e:
        return e.returncode, out.getvalue()
    return 0, out.getvalue()


def settle(payment):
    payment.refresh_from_db()
    payment_derive(payment)
    ledger_post_payment(payment)


@pytest.mark.stripe
def test_a_ledger_that_agrees_with_the_rows_and_stripe_exits_0(localstripe):
    paid = paid_at_stripe(localstripe, price=7500)
    refunded = paid_at_stripe(localstripe, price=12000, currency="eur")
    refunded_at_stripe(localstripe, refunded, 2000)
    for payment in (paid, refunded):
        settle(payment)

    code, report = verify()

    assert code == 0, report
    assert "USD: charged 75.00 at Stripe, 75.00 in the ledger; refunded 0.00" in report
    assert "EUR: charged 120.00 at Stripe, 120.00 in the ledger; refunded 20.00 at " in report
    assert "Stripe: 2 payment intents created in the period." in report
    assert report.rstrip().endswith("The ledger agrees with the payment rows and Stripe.")
    check = Verification.objects.get()
    assert (check.ok, check.exit_code, check.differences) == (True, 0, 0)
    assert check.report == report.rstrip("\n")


@pytest.mark.stripe
def test_a_refund_made_at_stripe_that_the_ledger_lacks_is_a_difference(localstripe):
    payment = paid_at_stripe(localstripe, price=7500)
    settle(payment)
    localstripe.sdk.v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": 1500}
    )

    code, report = verify()

    assert code == 1
    assert (
        f"intent {payment.stripe_payment_intent_id} (payment {payment.pk}): Stripe received "
        "75.00 USD and refunded 15.00; the ledger has 75.00 and 0.00"
    ) in report
    assert "refunded 15.00 at Stripe, 0.00 in the ledger (DIFFERENT)" in report
    assert Verification.objects.get().differences == 1


@pytest.mark.stripe
def test_a_charge_that_succeeded_at_stripe_without_a_posting_is_a_difference(localstripe):
    payment = paid_at_stripe(localstripe, price=7500)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REQUIRES_REVIEW)

    code, report = verify()

    assert code == 1
    assert "Stripe received 75.00 USD and refunded 0.00; the ledger has 0.00 and 0.00" in report


@pytest.mark.stripe
def test_a_charge_posted_for_an_intent_stripe_does_not_have_is_a_difference(localstripe):
    payment = collected_payment(price=7500)  # its intent id was never made at the emulator
    ledger_post_payment(payment)

    code, report = verify()

    assert code == 1
    assert f"payment {payment.pk}: its charge is posted, but Stripe has no intent" in report


@pytest.mark.stripe
def test_when_stripe_cannot_be_asked_it_exits_2_and_says_so(localstripe, settings):
    settle(collected_payment())
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    code, report = verify()

    assert code == 2
    assert "Stripe: not checked (could not reach Stripe" in report
    assert Verification.objects.get().exit_code == 2


def test_a_collected_payment_with_nothing_posted_is_a_difference():
    payment = collected_payment(price=7500)

    code, report = verify("--no-stripe")

    assert code == 1
    assert (
        f"payment {payment.pk} (succeeded): the ledger has nothing posted; its rows say "
        "charged 75.00, received 75.00, trainer 63.75, platform 11.25"
    ) in report


def test_a_refund_row_the_ledger_lacks_is_a_difference():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    refund = refund_row(payment, 1000)
    payment_derive(payment)  # the totals move, the posting is missing

    code, report = verify("--no-stripe")

    assert code == 1
    assert f"refund {refund.pk} of payment {payment.pk} is succeeded, but the ledger has no" in (
        report
    )
    assert f"payment {payment.pk} (partially_refunded): the ledger has charged 75.00" in report


def test_postings_of_a_payment_whose_money_we_do_not_hold_are_a_difference():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CANCELED)

    code, report = verify("--no-stripe")

    assert code == 1
    assert f"payment {payment.pk} is canceled, yet the ledger holds postings of it" in report


def test_disputes_and_reversed_refunds_agree_with_the_rows():
    lost = collected_payment(price=7500)
    ledger_post_payment(lost)
    refund_row(lost, 500)
    settle(lost)
    lost.dispute_id, lost.dispute_status = "dp_lost", "lost"
    lost.save()
    settle(lost)
    reversed_refund = collected_payment(price=6000)
    ledger_post_payment(reversed_refund)
    refund = refund_row(reversed_refund, 6000)
    settle(reversed_refund)
    refund.status = Refund.Status.FAILED
    refund.save()
    settle(reversed_refund)

    code, report = verify("--no-stripe", "--all")

    assert code == 0, report
    assert "Payment rows: 2 payments and 2 refunds checked." in report


def test_a_trainer_still_owed_a_share_of_a_lost_chargeback_is_a_difference():
    payment = collected_payment(price=7500)
    ledger_post_payment(payment)
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.DISPUTED, dispute_id="dp_old", dispute_status="lost"
    )
    payment.refresh_from_db()
    # The chargeback's loss posted without the recovery of the trainer's share, as the ledger
    # did before it recovered it.
    _post_dispute(payment, {"dispute_recovery:dp_old"})

    code, report = verify("--no-stripe", "--all")

    assert code == 1
    assert (
        f"payment {payment.pk}: its chargeback dp_old is lost, yet the ledger owes the trainer "
        "63.75 of it"
    ) in report
    call_command("backfill_ledger", stdout=io.StringIO())
    assert verify("--no-stripe", "--all")[0] == 0


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL refuses this at commit (ledger.tests.test_append_only)",
)
def test_an_unbalanced_transaction_written_with_raw_sql_is_found():
    # SQLite has no deferred triggers: what raw SQL can write there, the check finds.
    account = Account.objects.create(kind=Account.Kind.STRIPE_BALANCE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (key, kind, stripe_id, description, created_at)"
            " VALUES ('raw', 'charge', '', '', CURRENT_TIMESTAMP)"
        )
        txn = Transaction.objects.get(key="raw")
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
            " VALUES (%s, %s, 'usd', 100)",
            [txn.pk, account.pk],
        )

    code, report = verify("--no-stripe", "--all")

    assert code == 1
    assert f"transaction {txn.pk} (raw) does not balance: its usd entries sum to 100" in report
    assert f"transaction {txn.pk} (raw) has 1 entries, at least two needed" in report


def test_older_results_are_dropped_past_the_number_kept(settings):
    for _ in range(KEEP + 2):
        verify("--no-stripe")

    assert Verification.objects.count() == KEEP


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(CommandError, match="--since must be before --until"):
        call_command("verify_ledger", "--since", "2026-02-02", "--until", "2026-02-01")
    with pytest.raises(CommandError, match="invalid moment value"):
        call_command("verify_ledger", "--since", "yesterday")
