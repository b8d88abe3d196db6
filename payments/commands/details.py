"""A paid payment's card, charge and receipt URL, fetched from Stripe after the success was
recorded, with its receipt emails: the one place a receipt is sent once the card is known.

A webhook's copy of an intent never has the card, and the webhook never waits on Stripe, so
applying a success asks for this (ApplyResult.fetch_details); the caller queues the task after
commit. Reconciliation runs it for payments the task never filled.
"""

import logging

from django.db import transaction
from django.utils import timezone

from notifications.services import notify_payment_succeeded
from payments import stripe_client
from payments.apply.intents import payment_copy_charge_details, payment_has_card_details
from payments.commands.retrying import queue, stripe_task
from payments.models import Payment

logger = logging.getLogger(__name__)

# Without a broker (the embedded default) the task runs in the webhook request right after
# commit: one retry there, no backoff (the request should not wait on a Stripe that is down);
# reconciliation fills what is still missing RECONCILE_AFTER_MINUTES later.
FILL_DETAILS_EAGER_ATTEMPTS = 2


def payment_fill_details(payment_id: int) -> bool:
    """Fetch a collected payment's intent from Stripe, store its card, charge and receipt URL
    and record its receipt emails, all once; True when it filled something.

    Runs after the commit that recorded the success (payment_fill_details_task, retried with
    backoff) and from reconciliation; idempotent, so overlapping runs are harmless. Raises
    StripeFailure for the task to retry. No lock is taken to decide: a collected payment stays
    collected (Payment.TRANSITIONS), and the email rows' unique keys, not a lock, keep them
    exactly-once.
    """
    payment = Payment.objects.get(pk=payment_id)
    if (
        payment.status not in Payment.COLLECTED_STATUSES
        or not payment.stripe_payment_intent_id
        or payment_has_card_details(payment)
    ):
        return False
    intent = stripe_client.retrieve_payment_intent(payment.stripe_payment_intent_id).to_dict()
    payment_copy_charge_details(payment, intent)
    with transaction.atomic():
        # The email rows first, then the UPDATE that locks the payment row: the lock is held for
        # the commit only, and a rollback drops both (the next run records them again).
        notify_payment_succeeded(payment)
        Payment.objects.filter(pk=payment.pk).update(
            stripe_charge_id=payment.stripe_charge_id,
            payment_method_type=payment.payment_method_type,
            card_brand=payment.card_brand,
            card_last4=payment.card_last4,
            receipt_url=payment.receipt_url,
            updated_at=timezone.now(),
        )
    return True


# Named as when it lived in payments.tasks, so tasks already queued under that name still run.
@stripe_task("payments.tasks.payment_fill_details", retry_on=stripe_client.StripeFailure)
def payment_fill_details_task(self, payment_id: int) -> bool:
    return payment_fill_details(payment_id)


def queue_fill_details(payment_id: int) -> None:
    """Queue payment_fill_details_task (to the broker, or run it here when there is none)."""
    if not queue(payment_fill_details_task, payment_id, eager_attempts=FILL_DETAILS_EAGER_ATTEMPTS):
        logger.warning(
            "Card details of payment %s not fetched from Stripe yet: reconciliation will retry",
            payment_id,
        )


def queue_fill_details_after_commit(payment_id: int) -> None:
    """Queue the fetch once the transaction that recorded the success has committed. robust: the
    payment is committed as paid; a broker that is down must not turn the caller (a webhook)
    into a 500: reconciliation fills what the task never did."""
    transaction.on_commit(lambda: queue_fill_details(payment_id), robust=True)
