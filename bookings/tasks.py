from celery import shared_task

from bookings.completion import booking_complete_due
from bookings.services import booking_expire_stale


@shared_task
def expire_stale_bookings() -> int:
    """Scheduled every minute (settings.CELERY_BEAT_SCHEDULE); the service is safe to overlap."""
    return booking_expire_stale()


@shared_task
def complete_sessions() -> int:
    """Scheduled every 15 minutes (settings.CELERY_BEAT_SCHEDULE); safe to overlap."""
    return booking_complete_due()
