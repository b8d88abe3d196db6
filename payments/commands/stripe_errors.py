"""How a Stripe failure reaches the caller of a command: logged, then one of our domain errors."""

import logging

from core.errors import PaymentDeclined, PaymentServiceError
from payments import stripe_client

logger = logging.getLogger(__name__)


def stripe_api_error(
    error: stripe_client.StripeFailure, *, action: str, booking_id, payment_id=None
) -> PaymentDeclined | PaymentServiceError:
    """Log a Stripe failure and turn it into the error for the caller: a decline carries Stripe's
    message (meant for the cardholder); anything else is the payment service's failure."""
    ids = f"payment {payment_id}, booking {booking_id}"
    if isinstance(error, stripe_client.CardDeclined):
        logger.warning("Card declined %s (%s): %s", action, ids, error.code or error.message)
        return PaymentDeclined(error.message)
    logger.error("Stripe error %s (%s): %s", action, ids, error.message)
    return PaymentServiceError(f"Payment processing error: {error.message}")
