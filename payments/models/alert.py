"""Money that needs a person (PaymentAlert)."""

from django.db import models

from payments.models.payment import Payment


class PaymentAlert(models.Model):
    """Something about money that needs a person: a charge we cannot match to a payment, a
    success that disagrees with our row, a refund Stripe refused or failed, totals that differ
    from Stripe's. Raised once per `key`, logged at ERROR, shown in the admin until resolved;
    reconcile_payments exits non-zero while any is open."""

    class Kind(models.TextChoices):
        UNMATCHED_CHARGE = "unmatched_charge", "Succeeded intent with no payment row"
        MISMATCH = "mismatch", "Success disagrees with our payment"
        REFUND_FAILED = "refund_failed", "Refund failed"
        REFUND_TOTALS = "refund_totals", "Refund totals differ from Stripe's"
        TRANSFER_FAILED = "transfer_failed", "Transfer or reversal refused by Stripe"
        TRANSFER_MISMATCH = "transfer_mismatch", "Session's transfer missing or wrong"
        PAYOUT_FAILED = "payout_failed", "Trainer's payout to their bank failed"

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    stripe_id = models.CharField(max_length=255, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="alert_open")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.stripe_id or self.payment_id}"
