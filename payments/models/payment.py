"""A payment and its refunds: the rows, their state tables and the constraints that keep their
money consistent."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncDay

from core.models import TimeStampedModel
from core.money import percentage_of
from core.state import transition


def default_fee_percentage() -> Decimal:
    return settings.PLATFORM_FEE_PERCENT


class Payment(TimeStampedModel):
    """One attempt to collect a booking's price through one Stripe PaymentIntent.

    Money is integer minor units of `currency`. `platform_fee_amount + trainer_payout_amount ==
    amount` and `0 <= refund_amount <= amount` are database constraints. `refund_amount` and
    `refunded_at` are derived from the Refund rows (payments.apply.derivation), never set by hand.
    `net_platform_fee` and `net_trainer_payout` are what the platform and the trainer keep once
    the refunds went back (`net_platform_fee + net_trainer_payout == amount - refund_amount`,
    also a constraint): analytics sums them, so its figures agree with the rows to the cent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires action"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"
        # Stripe reported a success that disagrees with our row (amount, currency, mode): the
        # money is in question, so it is neither paid nor refunded until a person looks.
        REQUIRES_REVIEW = "requires_review", "Requires review"

    # A state only moves forward: a late or replayed event can never undo a later truth (a
    # payment_failed arriving after succeeded is not in this table, so it is ignored).
    # Moves between the collected statuses (succeeded, partially refunded, refunded, disputed)
    # are not listed: payments.apply.derivation derives them from the refund rows and the dispute.
    # A success that disagrees with our row goes to REQUIRES_REVIEW from wherever it finds it.
    TRANSITIONS = {
        Status.PENDING: {
            Status.REQUIRES_ACTION, Status.PROCESSING, Status.SUCCEEDED, Status.FAILED,
            Status.CANCELED, Status.REQUIRES_REVIEW,
        },
        Status.REQUIRES_ACTION: {
            Status.PENDING, Status.PROCESSING, Status.SUCCEEDED, Status.FAILED, Status.CANCELED,
            Status.REQUIRES_REVIEW,
        },
        Status.PROCESSING: {
            Status.SUCCEEDED, Status.FAILED, Status.CANCELED, Status.REQUIRES_ACTION,
            Status.REQUIRES_REVIEW,
        },
        # After a decline the same intent can be confirmed again with another card.
        Status.FAILED: {
            Status.PENDING, Status.REQUIRES_ACTION, Status.PROCESSING, Status.SUCCEEDED,
            Status.CANCELED, Status.REQUIRES_REVIEW,
        },
        # A canceled attempt whose charge went through after all (the cancel raced it, or we
        # stopped waiting for an answer that never came): recorded, then refunded in full.
        Status.CANCELED: {Status.SUCCEEDED, Status.REQUIRES_REVIEW},
    }  # fmt: skip
    OPEN_STATUSES = (Status.PENDING, Status.REQUIRES_ACTION, Status.PROCESSING, Status.FAILED)
    COLLECTED_STATUSES = (
        Status.SUCCEEDED,
        Status.PARTIALLY_REFUNDED,
        Status.REFUNDED,
        Status.DISPUTED,
    )

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="payments"
    )
    # A copy of booking.trainer, set once on creation (save() or explicitly in bulk inserts): a
    # payment's trainer never changes, and analytics groups a million payments by trainer, which
    # through the booking meant joining a million bookings (half of the dashboard's time).
    trainer = models.ForeignKey(
        "trainers.TrainerProfile", on_delete=models.PROTECT, related_name="payments"
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_client_secret = models.CharField(max_length=255, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)

    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    platform_fee_percentage = models.DecimalField(
        max_digits=5, decimal_places=2, default=default_fee_percentage
    )
    platform_fee_amount = models.PositiveIntegerField()
    trainer_payout_amount = models.PositiveIntegerField()

    refund_amount = models.PositiveIntegerField(default=0)
    net_platform_fee = models.PositiveIntegerField(default=0)
    net_trainer_payout = models.PositiveIntegerField(default=0)
    refund_reason = models.TextField(blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    payment_method_type = models.CharField(max_length=50, blank=True)
    card_brand = models.CharField(max_length=30, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.TextField(blank=True)
    receipt_url = models.URLField(max_length=500, blank=True)

    succeeded_at = models.DateTimeField(null=True, blank=True)
    # Set once, when a charge succeeds for a payment we no longer want (its booking was
    # cancelled, paid by another attempt, or its slot taken): the money goes back in full
    # (payments.commands.refunds.payment_refund_in_full); the row is not the booking's live one.
    refund_in_full_reason = models.TextField(blank=True)
    # Why a success was put in requires_review (what disagreed with our row).
    review_reason = models.TextField(blank=True)
    dispute_id = models.CharField(max_length=255, blank=True)
    dispute_status = models.CharField(max_length=50, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="payment_status_updated"),
            # analytics.selectors.payment_figures_by_day groups by this expression; the index gives
            # PostgreSQL its statistics (hash a few hundred groups instead of sorting every row).
            models.Index(TruncDay("created_at", tzinfo=dt.UTC), name="payment_analytics_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(platform_fee_amount__gte=0)
                & Q(trainer_payout_amount__gte=0)
                & Q(amount=F("platform_fee_amount") + F("trainer_payout_amount")),
                name="payment_fee_plus_payout_is_amount",
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0) & Q(refund_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(
                    net_platform_fee=F("amount") - F("refund_amount") - F("net_trainer_payout")
                ),
                name="payment_net_fee_plus_payout_is_kept",
            ),
            # One live payment per booking; a canceled one may be followed by a new one, and a
            # late success being refunded in full is not the booking's payment.
            models.UniqueConstraint(
                fields=["booking"],
                condition=~Q(status="canceled") & Q(refund_in_full_reason=""),
                name="payment_one_live_per_booking",
            ),
        ]

    def __str__(self):
        return f"Payment {self.pk} ({self.status})"

    @classmethod
    def live(cls):
        """Payments that are their booking's own (at most one per booking, a constraint)."""
        return cls.objects.exclude(status=cls.Status.CANCELED).filter(refund_in_full_reason="")

    # Derived on every save (calculate_fees), so always written with whatever else is saved.
    DERIVED_FIELDS = (
        "platform_fee_amount",
        "trainer_payout_amount",
        "net_platform_fee",
        "net_trainer_payout",
    )

    def save(self, *args, **kwargs):
        if self.trainer_id is None and self.booking_id is not None:
            self.trainer_id = self.booking.trainer_id
        self.calculate_fees()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def calculate_fees(self) -> None:
        """The fee and payout on the amount, and what each side keeps after `refund_amount`."""
        self.platform_fee_amount = percentage_of(self.amount, self.platform_fee_percentage)
        self.trainer_payout_amount = self.amount - self.platform_fee_amount
        retained = max(self.amount - self.refund_amount, 0)
        self.net_trainer_payout = self.payout_after_refunds(self.refund_amount)
        self.net_platform_fee = retained - self.net_trainer_payout

    def payout_after_refunds(self, refunded: int) -> int:
        """What the trainer keeps once `refunded` (minor units) went back to the client.

        With CANCELLATION_PLATFORM_KEEPS_FEE the platform's fee is not refundable, so a refund
        comes entirely out of the trainer's share; otherwise the fee is charged on what the
        client finally paid, rounded as every fee is (core.money.percentage_of).
        """
        retained = max(self.amount - refunded, 0)
        if settings.CANCELLATION_PLATFORM_KEEPS_FEE:
            fee = min(self.platform_fee_amount, retained)
        else:
            fee = percentage_of(retained, self.platform_fee_percentage)
        return retained - fee

    # --- state machine. Callers hold a lock on the row and save. ----------------------------
    def set_status(self, target: str) -> bool:
        return transition(self, "status", target, self.TRANSITIONS)

    def can_move_to(self, target: str) -> bool:
        return self.status == target or target in self.TRANSITIONS.get(self.status, set())

    def mark_succeeded(self) -> bool:
        return self.set_status(self.Status.SUCCEEDED)

    def mark_failed(self, *, code: str = "", message: str = "") -> bool:
        changed = self.set_status(self.Status.FAILED)
        self.failure_code, self.failure_message = code[:100], message
        return changed

    def refunds_succeeded(self) -> int:
        """What has gone back to the client for certain (the refund rows Stripe confirmed)."""
        total = self.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(
            total=models.Sum("amount")
        )["total"]
        return total or 0

    def is_refundable(self) -> bool:
        return (
            self.status in (self.Status.SUCCEEDED, self.Status.PARTIALLY_REFUNDED)
            and self.get_refundable_amount() > 0
        )

    def refunds_granted(self) -> int:
        """Every refund not known to have failed: succeeded ones AND pending (reserved) ones.

        The one measure of "already given back" for every refundable amount and policy quote: a
        refund whose Stripe call got no answer may have been made, so it counts until Stripe
        says it failed. Uses prefetched refunds when the caller loaded them (booking lists).
        """
        if "refunds" in getattr(self, "_prefetched_objects_cache", {}):
            return sum(r.amount for r in self.refunds.all() if r.status != Refund.Status.FAILED)
        reserved = self.refunds.exclude(status=Refund.Status.FAILED).aggregate(
            total=models.Sum("amount")
        )["total"]
        return reserved or 0

    def get_refundable_amount(self) -> int:
        """What may still be refunded: the amount less refunds_granted().

        Pending refunds count, so two refunds racing each other can never together exceed the
        amount (the refund service reserves a row under a lock before calling Stripe).
        """
        return self.amount - self.refunds_granted()


class Refund(TimeStampedModel):
    """Every refund is its own row, asked for by us or made in the Stripe Dashboard."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Stripe's refund statuses -> ours ("requires_action" waits on the cardholder).
    STRIPE_STATUS = {
        "succeeded": Status.SUCCEEDED,
        "pending": Status.PENDING,
        "requires_action": Status.PENDING,
        "failed": Status.FAILED,
        "canceled": Status.FAILED,
    }
    # Forward only, so a late refund.updated never undoes a later truth; a refund Stripe
    # reported succeeded can still fail afterwards (refund.failed: the card was closed, say).
    TRANSITIONS = {
        Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
        Status.SUCCEEDED: {Status.FAILED},
    }

    class Source(models.TextChoices):
        API = "api", "FitConnect API"
        CANCELLATION = "cancellation", "Booking cancellation"
        DASHBOARD = "dashboard", "Stripe Dashboard"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.API)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure_message = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"Refund {self.pk} of payment {self.payment_id} ({self.status})"

    def advance(self, stripe_status: str) -> bool:
        """Move to what Stripe's `stripe_status` means if TRANSITIONS allows it (the caller
        saves); False for an unknown status or a move backwards."""
        target = self.STRIPE_STATUS.get(stripe_status)
        if target is None or target not in self.TRANSITIONS.get(self.status, set()):
            return False
        self.status = target
        return True
