import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel
from core.state import transition


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PENDING = "pending", "Payment in progress"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    STATUS_TRANSITIONS = {
        Status.PENDING: {Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED},
        Status.CONFIRMED: {Status.COMPLETED, Status.CANCELLED},
        # A payment that lands after the hold expired still confirms the session: the money is
        # real and the slot-holding rules let nobody else take it while payment was in progress.
        Status.EXPIRED: {Status.CONFIRMED},
    }
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.COMPLETED)

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    trainer = models.ForeignKey(
        "trainers.TrainerProfile", on_delete=models.PROTECT, related_name="bookings"
    )
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    # rate x duration, fixed when the booking is made (integer minor units of `currency`).
    price = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Derived from the booking's payments by payments.apply.derivation (never set by hand), so no
    # order of Stripe's events can leave it saying paid for money that went back.
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    # An unpaid booking holds its slot until this moment (BOOKING_HOLD_MINUTES after creation).
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    # Times the session was moved: the SEQUENCE of its calendar event (bookings.calendar), so an
    # updated invitation replaces the one already in the calendar.
    calendar_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-start_time", "-id"]
        indexes = [
            # Overlap checks and slot computation: a trainer's bookings by time.
            models.Index(fields=["trainer", "start_time"], name="booking_trainer_start"),
            models.Index(fields=["client", "start_time"], name="booking_client_start"),
            # expire_stale_bookings scans pending holds by expiry.
            models.Index(fields=["status", "hold_expires_at"], name="booking_status_hold"),
            # complete_sessions scans confirmed sessions by their end.
            models.Index(fields=["status", "end_time"], name="booking_status_end"),
            # Reconciliation's check_transfers finds the sessions completed lately.
            models.Index(fields=["status", "updated_at"], name="booking_status_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="booking_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="booking_price_non_negative"
            ),
        ]

    def __str__(self):
        return f"Booking {self.pk} {self.start_time:%Y-%m-%d %H:%M} ({self.status})"

    # --- state machine: STATUS_TRANSITIONS is its only table. Callers lock the row and save. --
    def set_status(self, target: str) -> bool:
        return transition(self, "status", target, self.STATUS_TRANSITIONS)

    def can_move_to(self, target: str) -> bool:
        return self.status == target or target in self.STATUS_TRANSITIONS.get(self.status, set())

    def is_cancellable(self) -> bool:
        """Whether the booking can still be cancelled (by anyone allowed to): the one answer for
        the API, the pages and the services."""
        return self.status != self.Status.CANCELLED and self.can_move_to(self.Status.CANCELLED)

    def cancel(self, *, reason: str, by=None, now=None) -> list[str]:
        """Move a cancellable booking to cancelled, freeing its slot; returns the fields to save."""
        self.set_status(self.Status.CANCELLED)
        self.cancelled_at = now or timezone.now()
        self.cancelled_by = by
        self.cancellation_reason = reason
        self.hold_expires_at = None
        return ["status", "cancelled_at", "cancelled_by", "cancellation_reason", "hold_expires_at"]

    def confirm(self) -> bool:
        """Its payment is in: a pending (or expired) booking is confirmed. The caller saves."""
        if not self.can_move_to(self.Status.CONFIRMED) or not self.set_status(
            self.Status.CONFIRMED
        ):
            return False
        self.hold_expires_at = None
        return True

    def is_paid(self) -> bool:
        return self.payment_status in (
            self.PaymentStatus.PAID,
            self.PaymentStatus.PARTIALLY_REFUNDED,
        )

    def requires_payment(self) -> bool:
        return self.status == self.Status.PENDING and self.payment_status in (
            self.PaymentStatus.UNPAID,
            self.PaymentStatus.PENDING,
            self.PaymentStatus.FAILED,
        )

    def renew_hold(self, now) -> None:
        """Starting (or resuming) a payment keeps the slot for a client who is typing a card,
        but never past BOOKING_HOLD_MAX_MINUTES after the booking was made: each payment attempt
        renewed the hold, so one client could keep a slot unpaid for as long as they liked."""
        renewed = now + dt.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
        latest = self.created_at + dt.timedelta(minutes=settings.BOOKING_HOLD_MAX_MINUTES)
        self.hold_expires_at = min(renewed, latest)

    def is_hold_stale(self, now=None) -> bool:
        """An unpaid hold past its expiry no longer blocks the slot (even before the task runs).

        Starting a payment renews the hold, so a client who is typing a card number keeps it;
        an abandoned payment does not hold the slot forever.
        """
        now = now or timezone.now()
        return (
            self.status == self.Status.PENDING
            and self.hold_expires_at is not None
            and self.hold_expires_at <= now
        )
