import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from bookings.models import Booking


def booking_blocking_qs(
    *, trainer, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> QuerySet[Booking]:
    """The trainer's bookings that overlap [start, end) and still hold their time.

    Confirmed and completed sessions always hold it; a pending (unpaid) booking only until its
    hold expires, so a stale hold frees the slot even when the expiry task has not run yet.
    """
    now = now or timezone.now()
    return Booking.objects.filter(
        Q(status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED])
        | Q(status=Booking.Status.PENDING, hold_expires_at__gt=now)
        | Q(status=Booking.Status.PENDING, hold_expires_at__isnull=True),
        trainer=trainer,
        start_time__lt=end,
        end_time__gt=start,
    )
