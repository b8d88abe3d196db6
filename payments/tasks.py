from celery import shared_task

from payments import reconciliation


@shared_task
def reconcile_payments() -> dict:
    """Scheduled every 5 minutes (settings.CELERY_BEAT_SCHEDULE); safe to overlap with webhooks
    and with itself: every write goes through the same locked, idempotent sync."""
    return reconciliation.reconcile_payments().as_dict()
