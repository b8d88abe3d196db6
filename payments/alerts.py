"""Alerts: money that needs a person, raised once, logged at ERROR and listed in the admin."""

import logging

from payments.models import Payment, PaymentAlert

logger = logging.getLogger(__name__)


def alert_raise(
    *, key: str, kind: str, message: str, payment: Payment | None = None, stripe_id: str = ""
) -> PaymentAlert:
    """The alert for `key`, created the first time (a replayed event or a second sweep finds
    it). Every call logs: a person should hear of it however often it happens."""
    logger.error("Payment alert [%s] %s", kind, message)
    alert, _created = PaymentAlert.objects.get_or_create(
        key=key[:300],
        defaults={
            "kind": kind,
            "payment": payment,
            "stripe_id": stripe_id[:255],
            "message": message,
        },
    )
    return alert
