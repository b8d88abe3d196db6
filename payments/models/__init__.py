"""The rows of payments: a payment and its refunds (payment.py), Stripe's events as received
(stripe_events.py), and alerts for a person (alert.py)."""

from payments.models.alert import PaymentAlert
from payments.models.payment import Payment, Refund, default_fee_percentage
from payments.models.stripe_events import StripeEventCursor, WebhookEvent

__all__ = [
    "Payment",
    "PaymentAlert",
    "Refund",
    "StripeEventCursor",
    "WebhookEvent",
    "default_fee_percentage",
]
