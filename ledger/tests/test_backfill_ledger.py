"""manage.py backfill_ledger posts what payments collected before the ledger show, once."""

import io

import pytest
from django.core.management import call_command

from ledger.models import Transaction
from ledger.postings import ledger_post_payment
from ledger.tests.factories import collected_payment, refund_row
from payments.apply.derivation import payment_derive
from payments.models import Payment, Refund

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_it_posts_every_movement_the_rows_show_once():
    charged = collected_payment(price=7500)
    refunded = collected_payment(price=6000)
    refund_row(refunded, 1000)
    failed = refund_row(refunded, 2000, status=Refund.Status.FAILED)
    payment_derive(refunded)
    disputed = collected_payment(price=9000)
    disputed.dispute_id, disputed.dispute_status = "dp_backfill", "lost"
    disputed.save()
    payment_derive(disputed)
    already = collected_payment(price=5000)
    ledger_post_payment(already)
    collected_payment(price=5000, status=Payment.Status.CANCELED)

    assert run("backfill_ledger") == "Posted 7 ledger transaction(s).\n"

    assert sorted(Transaction.objects.values_list("kind", "payment_id")) == sorted(
        [
            ("charge", charged.pk),
            ("charge", refunded.pk),
            ("refund", refunded.pk),
            ("charge", disputed.pk),
            ("dispute_opened", disputed.pk),
            ("dispute_lost", disputed.pk),
            ("dispute_recovery", disputed.pk),
            ("charge", already.pk),
        ]
    )
    assert not Transaction.objects.filter(refund=failed).exists()
    assert run("backfill_ledger") == "Posted 0 ledger transaction(s).\n"
    assert "The ledger agrees" in run("verify_ledger", "--no-stripe", "--all")
