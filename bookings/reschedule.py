"""A paid session moved by its client to another free time of the same trainer."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from bookings.services import _validate_start
from core.errors import Conflict, SlotTaken
from notifications.services import notify_booking_rescheduled
from payments.selectors import booking_cancellation_preview
from trainers.availability import is_within_availability
from trainers.models import TrainerProfile


def booking_reschedule(*, booking: Booking, actor, start_time: dt.datetime) -> Booking:
    """Move `booking` to `start_time`, keeping its trainer, length and price.

    Allowed to the booking's client (PermissionDenied, 403, for anyone else), for a confirmed,
    paid session, while cancelling it would still refund it in full: the cancellation policy's
    own quote decides, so the two rules can never disagree (ValidationError, 400, after that).
    The new time follows the rules of a new booking (notice, horizon, the trainer's
    availability; 400) and must be free (Conflict, 409). The trainer's row is locked first,
    as booking_create locks it, so a reschedule and a new booking (or two reschedules) can
    never both take one slot; then the booking's row, so a cancellation or a refund at the same
    moment is seen. Both people are emailed the new time with an updated invitation.
    """
    if actor.pk != booking.client_id:
        raise PermissionDenied("Only the client of a session can move it.")
    now = timezone.now()
    _validate_start(start_time, now)
    with transaction.atomic():
        trainer = (
            TrainerProfile.objects.select_for_update()
            .select_related("user")
            .prefetch_related("availability")
            .get(pk=booking.trainer_id)
        )
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("client", "trainer__user")
            .get(pk=booking.pk)
        )
        if locked.status != Booking.Status.CONFIRMED or not locked.is_paid():
            raise Conflict(
                f"Only a paid, upcoming session can be moved (this one is {locked.status})."
            )
        quote = booking_cancellation_preview(booking=locked, actor=actor, now=now)
        if quote.percent < 100:
            raise ValidationError(
                "A session can be moved only while cancelling it would be refunded in full; "
                f"now: {quote.rule}"
            )
        end_time = start_time + dt.timedelta(minutes=locked.duration_minutes)
        if start_time == locked.start_time:
            raise ValidationError({"start_time": "The session is already at this time."})
        if not trainer.user.is_active or not trainer.accepting_bookings:
            raise ValidationError({"start_time": "This trainer is not taking new times now."})
        if not is_within_availability(trainer, start_time, end_time):
            raise ValidationError(
                {"start_time": "The new time is outside the trainer's availability."}
            )
        taken = booking_blocking_qs(trainer=trainer, start=start_time, end=end_time, now=now)
        if taken.exclude(pk=locked.pk).exists():
            raise SlotTaken()
        previous_start = locked.start_time
        locked.start_time, locked.end_time = start_time, end_time
        locked.calendar_sequence += 1
        locked.save(update_fields=["start_time", "end_time", "calendar_sequence", "updated_at"])
        notify_booking_rescheduled(locked, previous_start=previous_start)
    return locked
