"""Every movement of money, one function each, called in the transaction that records it.

A movement is money that Stripe has confirmed moving between the client, the platform and the
trainer:
- charge_succeeded: a client's charge went through (also a late one we will refund in full:
  payment.refund_in_full_reason says why);
- refund_succeeded: money went back to the client: a refund through the API (source api), a
  cancellation's or the automatic refund in full of a late success (source cancellation), or one
  made in the Stripe Dashboard (source dashboard);
- refund_reversed: a refund Stripe had reported succeeded failed afterwards (the card was
  closed): the money is ours again;
- dispute_opened, dispute_won, dispute_lost: a chargeback takes the money, and the outcome (a
  lost one also keeps the trainer's share back if it was not transferred yet: the ledger posts
  that recovery of the loss in the same call, ledger.postings.post_dispute_recovery).

Callers hold the payment row locked, detect the move on the row itself (a replayed event moves
nothing, so a movement is recorded once) and call these after the row has its new state. Each
states the movement for the operators and posts it to the double-entry ledger
(ledger.postings.ledger_post_payment, which posts whatever the payment's rows show and the
ledger lacks, each movement under a unique key), so the books commit or roll back with our
rows, and a duplicate delivery, which moves no row, posts nothing.
"""

import logging

from core.money import format_amount
from ledger.postings import ledger_post_payment
from payments.models import Payment, Refund

logger = logging.getLogger(__name__)


def _money(amount: int, currency: str) -> str:
    return f"{format_amount(amount, currency)} {currency.upper()}"


def charge_succeeded(payment: Payment) -> None:
    logger.info(
        "Payment succeeded: payment %s booking %s, %s charged",
        payment.pk,
        payment.booking_id,
        _money(payment.amount, payment.currency),
    )
    ledger_post_payment(payment)


def refund_succeeded(refund: Refund) -> None:
    logger.info(
        "Refund succeeded: refund %s (%s, %s) of payment %s, %s",
        refund.pk,
        refund.stripe_refund_id or "no Stripe id yet",
        refund.source,
        refund.payment_id,
        _money(refund.amount, refund.currency),
    )
    ledger_post_payment(refund.payment)


def refund_reversed(refund: Refund) -> None:
    logger.warning(
        "Refund reversed: refund %s of payment %s failed after it succeeded; %s is ours again",
        refund.pk,
        refund.payment_id,
        _money(refund.amount, refund.currency),
    )
    ledger_post_payment(refund.payment)


def dispute_opened(payment: Payment) -> None:
    logger.warning(
        "Dispute opened: %s on payment %s (%s)",
        payment.dispute_id,
        payment.pk,
        _money(payment.amount, payment.currency),
    )
    ledger_post_payment(payment)


def dispute_won(payment: Payment) -> None:
    logger.warning("Dispute won: %s on payment %s", payment.dispute_id, payment.pk)
    ledger_post_payment(payment)


def dispute_lost(payment: Payment) -> None:
    logger.warning(
        "Dispute lost: %s on payment %s, %s gone to the cardholder",
        payment.dispute_id,
        payment.pk,
        _money(payment.amount, payment.currency),
    )
    ledger_post_payment(payment)
