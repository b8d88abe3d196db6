"""Sending one queued email: claimed by one task at a time, rendered and sent, its outcome kept
on its row (called by notifications.tasks)."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from notifications import emails
from notifications.models import EmailNotification

logger = logging.getLogger(__name__)

Status = EmailNotification.Status


def _sending_lease() -> dt.timedelta:
    """A row left in "sending" this long belongs to a worker that died mid-send; another may
    take it. Far longer than a send can take (EMAIL_TIMEOUT bounds each SMTP operation)."""
    return dt.timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE_SECONDS)


def notification_claim(notification_id: int) -> EmailNotification | None:
    """Take the row for sending, or None when it is not ours to send.

    Conditional UPDATE: of two tasks for one row (a retry racing a requeue, a redelivered
    message) only one sees a row count of 1; the other finds it sent or being sent and stops.
    """
    now = timezone.now()
    claimed = (
        EmailNotification.objects.filter(pk=notification_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.SENDING, claimed_at__lt=now - _sending_lease())
        )
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return None
    return EmailNotification.objects.get(pk=notification_id)


def notification_deliver(
    notification_id: int, *, retryable: tuple[type[Exception], ...], final_attempt: bool
) -> str:
    """Claim, render and send one notification; returns the status it ends in.

    A `retryable` error (mail server down) puts the row back to queued and re-raises for the
    task to retry, or on the `final_attempt` marks it failed. Any other error (a bug) fails it
    at once and re-raises. If the process dies after the server accepted the message but before
    it is marked sent, the lease lets a later task send it again: SMTP cannot be part of our
    transaction, so this is the one duplicate we cannot rule out (the message carries the key
    in X-FitConnect-Notification).
    """
    notification = notification_claim(notification_id)
    if notification is None:
        return "skipped"
    rows = EmailNotification.objects.filter(pk=notification.pk, status=Status.SENDING)
    try:
        emails.render(notification).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        will_retry = isinstance(exc, retryable) and not final_attempt
        status = Status.QUEUED if will_retry else Status.FAILED
        rows.update(status=status, last_error=error, updated_at=timezone.now())
        if will_retry:
            logger.warning(
                "Email %s attempt %s failed, will retry: %s",
                notification.key,
                notification.attempts,
                error,
            )
            raise
        logger.error(
            "Email %s failed for good after %s attempts: %s",
            notification.key,
            notification.attempts,
            error,
        )
        if isinstance(exc, retryable):
            return Status.FAILED
        raise
    now = timezone.now()
    rows.update(status=Status.SENT, sent_at=now, updated_at=now)
    logger.info("Email %s sent to %s", notification.key, notification.recipient)
    return Status.SENT


def notification_ids_stuck(*, now=None, queued_for=dt.timedelta(minutes=30)) -> list[int]:
    """Rows whose task was lost: queued long past any retry backoff, or a dead worker's claim."""
    now = now or timezone.now()
    return list(
        EmailNotification.objects.filter(
            Q(status=Status.QUEUED, updated_at__lt=now - queued_for)
            | Q(status=Status.SENDING, claimed_at__lt=now - _sending_lease())
        ).values_list("pk", flat=True)[:500]
    )
