"""The trainer's share of a completed session on its way to their connected Stripe account: one
Transfer per session, and a TransferReversal for each part of it taken back."""

from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.state import transition
from payments.models.payment import Payment


class Transfer(TimeStampedModel):
    """The trainer's share of one completed session (separate charges and transfers: the client
    paid the platform; this moves the share to the trainer's connected account).

    Created when the session is completed (payments.apply.transfers), with the share after the
    refunds so far; sent after commit (payments.commands.transfers) with the charge as
    `source_transaction`, so it never waits for the platform's available balance, and
    `transfer:<id>` as the idempotency key. Until it is sent its amount follows later refunds,
    and a refund in full or a lost dispute cancels it; once sent, money taken back from the
    client is taken back from the trainer by TransferReversal rows.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        HELD = "held", "Held by an admin"
        SENT = "sent", "Sent"
        FAILED = "failed", "Refused by Stripe"
        CANCELED = "canceled", "Canceled (nothing left to pay)"

    # Forward only, except an admin's hold and release, and a refused transfer sent again.
    TRANSITIONS = {
        Status.PENDING: {Status.HELD, Status.SENT, Status.FAILED, Status.CANCELED},
        Status.HELD: {Status.PENDING, Status.CANCELED},
        Status.FAILED: {Status.PENDING, Status.HELD, Status.SENT, Status.CANCELED},
    }
    # Not sent yet: the amount may still change, and the money is still the platform's.
    UNSENT_STATUSES = (Status.PENDING, Status.HELD, Status.FAILED)

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="transfer"
    )
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="transfer")
    trainer = models.ForeignKey(
        "trainers.TrainerProfile", on_delete=models.PROTECT, related_name="transfers"
    )
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # The connected account it went to, and the charge it was funded from.
    destination = models.CharField(max_length=255, blank=True)
    source_transaction = models.CharField(max_length=255, blank=True)
    hold_reason = models.TextField(blank=True)
    failure_message = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="transfer_status_created"),
            # Reconciliation's check_transfers: transfers on their way, and those that moved lately.
            models.Index(fields=["status", "updated_at"], name="transfer_status_updated"),
        ]
        constraints = [
            # A canceled transfer moves nothing; any other moves something.
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(status="canceled"), name="transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(stripe_transfer_id__isnull=False),
                name="transfer_sent_has_stripe_id",
            ),
        ]

    def __str__(self):
        return f"Transfer {self.pk} of booking {self.booking_id} ({self.status})"

    def set_status(self, target: str) -> bool:
        return transition(self, "status", target, self.TRANSITIONS)

    def can_move_to(self, target: str) -> bool:
        return self.status == target or target in self.TRANSITIONS.get(self.status, set())

    def reversed_amount(self, *, with_pending: bool = True) -> int:
        """What was taken back (with_pending: also what is being asked for right now)."""
        rows = self.reversals.exclude(status=TransferReversal.Status.FAILED)
        if not with_pending:
            rows = rows.filter(status=TransferReversal.Status.SUCCEEDED)
        return rows.aggregate(total=models.Sum("amount"))["total"] or 0


class TransferReversal(TimeStampedModel):
    """Part of a sent transfer taken back from the trainer's connected account, because the
    client got money back after it (a refund, or a chargeback lost). Reserved as a pending row
    under the payment's lock, then asked of Stripe (`transfer_reversal:<id>`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    TRANSITIONS = {
        Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
        Status.FAILED: {Status.PENDING, Status.SUCCEEDED},
    }

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="reversals")
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=200)
    stripe_reversal_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    failure_message = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Reconciliation's check_transfers: reversals on their way, and those that moved lately.
            models.Index(fields=["status", "updated_at"], name="reversal_status_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reversal_amount_positive"),
        ]

    def __str__(self):
        return f"Reversal {self.pk} of transfer {self.transfer_id} ({self.status})"

    def set_status(self, target: str) -> bool:
        return transition(self, "status", target, self.TRANSITIONS)
