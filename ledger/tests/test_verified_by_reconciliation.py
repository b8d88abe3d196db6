"""Reconciliation verifies the ledger as its last step: after what it applied was posted, the
result is stored for the admin (its front page shows the last one), and a difference left needs
a person (the command exits 1 and lists it)."""

import io

import pytest
from django.core.management import CommandError, call_command

from core.tests.factories import BookingFactory
from ledger.models import Transaction, Verification
from ledger.tests.factories import paid_at_stripe
from payments.models import Payment
from payments.reconciliation import reconcile_payments

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def test_it_verifies_the_ledger_after_posting_what_it_applied(localstripe, start_payment, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    intent_id = start_payment(BookingFactory()).json()["payment_intent_id"]
    localstripe.confirm(intent_id)

    summary = reconcile_payments()

    payment = Payment.objects.get(stripe_payment_intent_id=intent_id)
    assert Transaction.objects.filter(payment=payment, kind="charge").exists()
    assert (summary.ledger_exit_code, summary.ledger_differences) == (0, [])
    assert not summary.needs_person
    assert "ledger agrees" in str(summary)
    check = Verification.objects.get()
    assert (check.ok, check.exit_code) == (True, 0)
    assert "Stripe: 1 payment intents created in the period." in check.report


def test_a_difference_left_needs_a_person(localstripe, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    # Collected at Stripe, but the row was written without posting its charge.
    payment = paid_at_stripe(localstripe)
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"\d ledger difference"):
        call_command("reconcile_payments", stdout=io.StringIO(), stderr=err)

    assert f"Ledger: payment {payment.pk} (succeeded): the ledger has nothing posted" in (
        err.getvalue()
    )
    assert Verification.objects.get().exit_code == 1


def test_a_dry_run_does_not_verify(localstripe):
    summary = reconcile_payments(dry_run=True)

    assert summary.ledger_exit_code is None
    assert not Verification.objects.exists()


def test_the_admins_front_page_shows_the_last_result(localstripe, admin_user, client):
    client.force_login(admin_user)
    assert "Ledger check: not run yet" in client.get("/admin/").content.decode()

    reconcile_payments()

    page = client.get("/admin/").content.decode()
    assert "/admin/ledger/verification/" in page
    assert "everything agrees" in page
