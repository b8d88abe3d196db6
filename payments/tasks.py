"""Celery tasks of payments: the scheduled reconciliation, and (defined with the command it runs,
registered here for the worker's autodiscovery) the fetch of a paid payment's card."""

from celery import shared_task

from ops.metrics import remember_reconciliation
from payments import reconciliation
from payments.commands.details import payment_fill_details_task

__all__ = ["payment_fill_details_task", "reconcile_payments"]


@shared_task
def reconcile_payments() -> dict:
    """Scheduled every 5 minutes (settings.CELERY_BEAT_SCHEDULE); safe to overlap with webhooks
    and with itself: every write goes through the same locked, idempotent apply layer. Its result
    is kept for /metrics."""
    result = reconciliation.reconcile_payments().as_dict()
    remember_reconciliation(result)
    return result
