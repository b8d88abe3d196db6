"""Balances come from the ledger: what each trainer is owed, the platform's revenue net of the
refunds it bore, per currency."""

import pytest

from core.tests.factories import TrainerProfileFactory
from ledger.postings import ledger_post_payment, post_transfer
from ledger.selectors import platform_revenue, trainer_owed, trainers_earned
from ledger.tests.factories import collected_payment, refund_row
from payments.apply.derivation import payment_derive

pytestmark = pytest.mark.django_db


def paid(trainer, price, currency="usd", refunded=0):
    payment = collected_payment(price=price, currency=currency, trainer=trainer)
    ledger_post_payment(payment)
    if refunded:
        refund_row(payment, refunded)
        payment_derive(payment)
        ledger_post_payment(payment)
    return payment


def test_what_each_trainer_is_owed_is_their_share_after_refunds_less_transfers():
    tom, yara = TrainerProfileFactory(), TrainerProfileFactory(currency="eur")
    paid(tom, 7500)
    paid(tom, 7500, refunded=7500)
    paid(tom, 1000, currency="eur")
    first = paid(yara, 6000, currency="eur", refunded=3000)

    assert trainer_owed(tom.pk) == {"usd": 6375, "eur": 850}
    assert trainer_owed(yara.pk) == {"eur": 2550}
    post_transfer(
        transfer_id="tr_yara", trainer_id=yara.pk, amount=2550, currency="eur", payment=first
    )
    assert trainer_owed(yara.pk) == {"eur": 0}
    # What they earned stays what they earned: transfers only pay it out.
    assert trainers_earned() == {
        (tom.pk, "usd"): 6375,
        (tom.pk, "eur"): 850,
        (yara.pk, "eur"): 2550,
    }


def test_platform_revenue_is_fees_less_the_refunds_it_bore(settings):
    trainer = TrainerProfileFactory()
    paid(trainer, 7500)
    paid(trainer, 7500, refunded=3750)
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True
    paid(trainer, 6000, currency="eur", refunded=6000)

    revenue = platform_revenue()

    assert (revenue["usd"].fees, revenue["usd"].refunds, revenue["usd"].net_of_refunds) == (
        2250,
        562,
        1688,
    )
    # Refunded in full: with nothing left to the trainer, the fee goes back too.
    assert (revenue["eur"].fees, revenue["eur"].refunds, revenue["eur"].net_of_refunds) == (
        900,
        900,
        0,
    )
