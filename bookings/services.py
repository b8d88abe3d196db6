"""Writes on bookings: create (race-proof), cancel, expire stale holds. The money side of a
cancellation or an expiry is settled by payments.commands.cancellation."""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from core.errors import Conflict, SlotTaken
from core.money import percentage_of
from notifications.services import notify_booking_cancelled
from payments.commands.cancellation import payment_settle_cancellation
from payments.models import Payment
from trainers.availability import is_within_availability
from trainers.models import TrainerProfile

logger = logging.getLogger(__name__)

MIN_DURATION_MINUTES = 30
MAX_DURATION_MINUTES = 180
DURATION_STEP_MINUTES = 15
EXPIRE_BATCH_SIZE = 200


def booking_price(*, hourly_rate: int, duration_minutes: int) -> int:
    """rate x duration / 60 in minor units, rounded half-up to the minor unit.

    The rate is whole minor units per hour and durations are quarter hours, so the exact price
    has at most a quarter of a minor unit (75.01/h for 45 min = 56.2575 -> 56.26). The rounding
    lives in core.money.percentage_of: the duration as a percentage of an hour.
    """
    return percentage_of(hourly_rate, Decimal(duration_minutes) * 100 / 60)


def _validate_duration(duration_minutes: int) -> None:
    if (
        not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES
        or duration_minutes % DURATION_STEP_MINUTES
    ):
        raise ValidationError(
            {
                "duration_minutes": (
                    f"Duration must be between {MIN_DURATION_MINUTES} and "
                    f"{MAX_DURATION_MINUTES} minutes in {DURATION_STEP_MINUTES}-minute steps."
                )
            }
        )


def _validate_start(start_time: dt.datetime, now: dt.datetime) -> None:
    if timezone.is_naive(start_time):
        raise ValidationError({"start_time": "Start time must include a UTC offset."})
    notice = settings.BOOKING_MIN_NOTICE_MINUTES
    if start_time < now + dt.timedelta(minutes=notice):
        raise ValidationError(
            {"start_time": f"Sessions must be booked at least {notice} minutes in advance."}
        )
    days = settings.BOOKING_MAX_DAYS_AHEAD
    if start_time > now + dt.timedelta(days=days):
        raise ValidationError(
            {"start_time": f"Sessions can be booked at most {days} days in advance."}
        )


def _check_unpaid_caps(*, client, trainer: TrainerProfile, now: dt.datetime) -> None:
    """One client may not hold a trainer's calendar with unpaid bookings: at most
    BOOKING_MAX_UNPAID_PER_CLIENT live unpaid holds in all, BOOKING_MAX_UNPAID_PER_TRAINER with
    one trainer (each hold lasts BOOKING_HOLD_MINUTES, a little longer while paying)."""
    holds = Booking.objects.filter(
        client=client, status=Booking.Status.PENDING, hold_expires_at__gt=now
    )
    per_trainer = settings.BOOKING_MAX_UNPAID_PER_TRAINER
    if holds.filter(trainer=trainer).count() >= per_trainer:
        raise ValidationError(
            f"You already hold {per_trainer} unpaid sessions with this trainer, the most allowed. "
            "Pay for or cancel one before booking another."
        )
    per_client = settings.BOOKING_MAX_UNPAID_PER_CLIENT
    if holds.count() >= per_client:
        raise ValidationError(
            f"You already hold {per_client} unpaid sessions, the most allowed. "
            "Pay for or cancel one before booking another."
        )


def booking_create(
    *, client, trainer: TrainerProfile, start_time: dt.datetime, duration_minutes: int
) -> Booking:
    """Book `trainer` for `client`; the price and the hold come from our database and settings.

    Raises ValidationError (400) naming the rule that failed, SlotTaken on an overlap.
    """
    if not client.is_client:
        raise ValidationError("Only clients can book sessions.")
    _validate_duration(duration_minutes)
    now = timezone.now()
    _validate_start(start_time, now)
    end_time = start_time + dt.timedelta(minutes=duration_minutes)

    with transaction.atomic():
        # The client's row first (then the trainer's: nothing else locks both, so no deadlock):
        # parallel requests of one client count its unpaid holds one after the other.
        User.objects.select_for_update().filter(pk=client.pk).exists()
        _check_unpaid_caps(client=client, trainer=trainer, now=now)
        # Two clients asking for the same slot at once would both see it free and both insert.
        # Locking the trainer row serializes every booking of this trainer, so the overlap check
        # and the insert happen as one step. (On SQLite select_for_update is a no-op, but the
        # IMMEDIATE transaction mode takes the database write lock at BEGIN, which serializes
        # the same block.) The locked row is also the fresh truth for accepting_bookings.
        trainer = (
            TrainerProfile.objects.select_for_update()
            .select_related("user")
            .prefetch_related("availability")
            .get(pk=trainer.pk)
        )
        # The same trainers the directory and the slot pages offer: a disabled account is
        # hidden everywhere (so it reads as unknown), and without a rate the price would be 0.
        if not trainer.user.is_active:
            raise ValidationError({"trainer_id": "No trainer with this id."})
        if not trainer.accepting_bookings or trainer.hourly_rate <= 0:
            raise ValidationError({"trainer_id": "This trainer is not accepting bookings."})
        if not trainer.is_bookable:
            raise ValidationError(
                {"trainer_id": "This trainer cannot be booked until their payouts are set up."}
            )
        if not is_within_availability(trainer, start_time, end_time):
            raise ValidationError(
                {"start_time": "The session is outside the trainer's availability."}
            )
        if booking_blocking_qs(trainer=trainer, start=start_time, end=end_time, now=now).exists():
            raise SlotTaken()
        return Booking.objects.create(
            client=client,
            trainer=trainer,
            start_time=start_time,
            end_time=end_time,
            duration_minutes=duration_minutes,
            price=booking_price(hourly_rate=trainer.hourly_rate, duration_minutes=duration_minutes),
            currency=trainer.currency,
            status=Booking.Status.PENDING,
            payment_status=Booking.PaymentStatus.UNPAID,
            hold_expires_at=now + dt.timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
        )


def booking_cancel(*, booking: Booking, actor, reason: str = ""):
    """Cancel `booking` on behalf of `actor` (its client, its trainer or an admin; the caller
    has checked that), then settle the money. Returns (booking, Refund or None).

    Already cancelled, expired or completed: Conflict, nothing changes.
    """
    with transaction.atomic():
        # A cancel racing a payment webhook or the expiry task: whoever locks first wins, the
        # other sees the new status.
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if not locked.is_cancellable():
            raise Conflict(f"This booking is {locked.status} and can no longer be cancelled.")
        fields = locked.cancel(reason=reason, by=actor)
        locked.save(update_fields=[*fields, "updated_at"])
    # After commit and outside the lock: settling may call Stripe, which can take seconds. The
    # cancellation stands even if Stripe fails (the settle is retried from the payment side).
    refund = payment_settle_cancellation(booking=locked, actor=actor, reason=reason)
    locked.refresh_from_db()
    notify_booking_cancelled(locked, refund)
    return locked, refund


def booking_expire_stale(now: dt.datetime | None = None) -> int:
    """Pending bookings whose hold has passed become expired; returns how many.

    Works in batches, each its own short transaction, so a big backlog never holds locks long.
    Rows are locked (skip_locked: a booking being paid or cancelled right now is left for the
    next run) and re-checked before the move, so a payment that confirmed the booking a moment
    ago is never undone. Open payments of expired bookings are then settled one by one, outside
    the lock; a Stripe failure is logged and does not stop the batch.
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(status=Booking.Status.PENDING, hold_expires_at__lte=now)
                .order_by("hold_expires_at", "id")[:EXPIRE_BATCH_SIZE]
            )
            expired = []
            for booking in batch:
                if booking.is_hold_stale(now) and booking.set_status(Booking.Status.EXPIRED):
                    booking.save(update_fields=["status", "updated_at"])
                    expired.append(booking)
        if not expired:
            return total
        total += len(expired)
        with_open_payment = set(
            Payment.objects.filter(
                booking__in=expired, status__in=Payment.OPEN_STATUSES
            ).values_list("booking_id", flat=True)
        )
        for booking in expired:
            if booking.pk not in with_open_payment:
                continue
            try:
                payment_settle_cancellation(
                    booking=booking, actor=None, reason="The hold expired before payment."
                )
            except Exception:
                logger.exception("Could not settle the open payment of expired %s", booking)
