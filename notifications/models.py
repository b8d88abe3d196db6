from django.db import models

from core.models import TimeStampedModel


class EmailNotification(TimeStampedModel):
    """One email we decided to send because something happened to someone's money.

    `key` names the thing that happened ("payment_succeeded:payment:12"); it is unique, so a
    duplicate webhook or a replayed handler finds the row instead of making a second one. The
    content is rendered from `context`, a snapshot taken inside the transaction that recorded the
    event, so every retry sends the same email even if the payment has moved on since.
    """

    class Kind(models.TextChoices):
        PAYMENT_SUCCEEDED = "payment_succeeded", "Client: payment receipt"
        PAYMENT_FAILED = "payment_failed", "Client: payment failed"
        REFUND_SUCCEEDED = "refund_succeeded", "Client: refund"
        TRAINER_NEW_BOOKING = "trainer_new_booking", "Trainer: new paid booking"
        TRAINER_BOOKING_CANCELLED = "trainer_booking_cancelled", "Trainer: booking cancelled"
        BOOKING_RESCHEDULED = "booking_rescheduled", "Client: session moved"
        TRAINER_BOOKING_RESCHEDULED = "trainer_booking_rescheduled", "Trainer: session moved"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a task that is talking to the mail server right now.
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    context = models.JSONField(default=dict, blank=True)
    booking = models.ForeignKey(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_notifications",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # notifications.tasks.requeue_stuck_notifications scans unsent rows by age.
            models.Index(fields=["status", "updated_at"], name="notification_status_updated"),
        ]

    def __str__(self):
        return f"{self.key} -> {self.recipient} ({self.status})"
