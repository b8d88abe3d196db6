import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task
from django.conf import settings

from notifications.services import notification_deliver, notification_ids_stuck

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


@shared_task
def requeue_stuck_notifications() -> int:
    """Queue again the rows whose task was lost (broker down at commit, worker killed)."""
    ids = notification_ids_stuck()
    for notification_id in ids:
        send_email_notification.delay(notification_id)
    return len(ids)
