import logging

from celery import shared_task
from celery.exceptions import Retry

from payments import reconciliation, stripe_client, sync

logger = logging.getLogger(__name__)

# Without a broker (the embedded default) the task runs in the webhook request right after
# commit: one retry there, no backoff (the request should not wait on a Stripe that is down);
# reconciliation fills what is still missing RECONCILE_AFTER_MINUTES later.
FILL_DETAILS_EAGER_ATTEMPTS = 2


@shared_task
def reconcile_payments() -> dict:
    """Scheduled every 5 minutes (settings.CELERY_BEAT_SCHEDULE); safe to overlap with webhooks
    and with itself: every write goes through the same locked, idempotent sync."""
    return reconciliation.reconcile_payments().as_dict()


@shared_task(
    bind=True,
    autoretry_for=(stripe_client.StripeFailure,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    # 5 s doubling to 10 min: about 20 minutes of Stripe trouble; reconciliation after that.
    max_retries=8,
    acks_late=True,
)
def payment_fill_details(self, payment_id: int) -> bool:
    """Fetch a paid payment's card, charge and receipt URL from Stripe and record its receipt
    emails (payments.sync.payment_fill_details): queued after the webhook that marked it paid."""
    return sync.payment_fill_details(payment_id)


def queue_fill_details(payment_id: int) -> None:
    """Queue payment_fill_details (to the broker, or run it here when there is none)."""
    task = payment_fill_details
    if not task.app.conf.task_always_eager:
        task.delay(payment_id)
        return
    # Eager mode with CELERY_TASK_EAGER_PROPAGATES: Celery raises its Retry out of apply()
    # instead of retrying, so retry here as a worker would (minus the wait).
    for retries in range(FILL_DETAILS_EAGER_ATTEMPTS):
        try:
            task.apply((payment_id,), retries=retries)
            return
        except Retry:
            continue
    logger.warning(
        "Card details of payment %s not fetched from Stripe yet: reconciliation will retry",
        payment_id,
    )
