from celery import shared_task

from bookings.services import booking_expire_stale


@shared_task
def expire_stale_bookings() -> int:
    """Scheduled every minute (settings.CELERY_BEAT_SCHEDULE); the service is safe to overlap."""
    return booking_expire_stale()
