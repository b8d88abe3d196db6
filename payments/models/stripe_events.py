"""Stripe's events as we received them (WebhookEvent), and how far reconciliation has listed
them (StripeEventCursor)."""

from django.db import models


class WebhookEvent(models.Model):
    """Every verified Stripe delivery, stored before it is applied; the event id is unique."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=32, blank=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["processed_at", "received_at"], name="webhook_processed")]

    def __str__(self):
        return f"{self.type} {self.stripe_event_id}"


class StripeEventCursor(models.Model):
    """How far reconcile_payments has listed Stripe's events: every event created before
    `created` (Unix time) has been listed and stored. It moves only when a listing completed,
    so an event delivered late, or never, is still listed next time, whatever webhooks stored
    meanwhile."""

    name = models.CharField(max_length=50, unique=True)
    created = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} at {self.created}"
