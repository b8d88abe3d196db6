"""Celery tasks of notifications: send one email (retried while the server fails), and queue
again the ones whose task was lost."""

import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings

from notifications.delivery import notification_deliver, notification_ids_stuck

# The mail server or ESP being down, slow or refusing for now. OSError covers refused
# connections and timeouts; anything else is a bug and is not retried.
RETRYABLE = (smtplib.SMTPException, OSError, AnymailAPIError)


@shared_task(
    bind=True,
    autoretry_for=RETRYABLE,
    retry_backoff=settings.NOTIFICATION_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.NOTIFICATION_MAX_RETRIES,
    acks_late=True,
)
def send_email_notification(self, notification_id: int) -> str:
    """Send one EmailNotification; retried with exponential backoff while the server fails."""
    return notification_deliver(
        notification_id,
        retryable=RETRYABLE,
        final_attempt=self.request.retries >= self.max_retries,
    )


def queue_send(notification_id: int) -> None:
    """Queue the sending of one notification (to the broker, or run here when there is none)."""
    task = send_email_notification
    if not task.app.conf.task_always_eager:
        task.delay(notification_id)
        return
    # Eager mode (the embedded default, no broker). With CELERY_TASK_EAGER_PROPAGATES Celery
    # raises its Retry out of apply() instead of retrying, so retry here as a worker would
    # (minus the wait). The last attempt never raises Retry: it marks the row failed.
    for retries in range(task.max_retries + 1):
        try:
            task.apply((notification_id,), retries=retries)
            return
        except Retry:
            continue


@shared_task
def requeue_stuck_notifications() -> int:
    """Queue again the rows whose task was lost (broker down at commit, worker killed)."""
    ids = notification_ids_stuck()
    for notification_id in ids:
        queue_send(notification_id)
    return len(ids)
