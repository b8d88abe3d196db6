"""The rows of payments: a payment and its refunds (payment.py), Stripe's events as received
(stripe_events.py), alerts for a person (alert.py), and the trainers' shares sent to their
connected accounts (transfer.py)."""

from payments.models.alert import PaymentAlert
from payments.models.payment import Payment, Refund, default_fee_percentage
from payments.models.stripe_events import StripeEventCursor, WebhookEvent
from payments.models.transfer import Transfer, TransferReversal

__all__ = [
    "Payment",
    "PaymentAlert",
    "Refund",
    "StripeEventCursor",
    "Transfer",
    "TransferReversal",
    "WebhookEvent",
    "default_fee_percentage",
]
