"""Alerts: money that needs a person, raised once, logged at ERROR and listed in the admin."""

import logging

from core.money import format_amount
from payments.models import Payment, PaymentAlert, Refund

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


def refund_failed_alert(refund: Refund) -> None:
    """A refund that failed released its reserved amount; the client did not get the money, so
    a person is told (a cancellation's refund in particular has nobody waiting on an answer)."""
    alert_raise(
        key=f"refund_failed:{refund.pk}",
        kind=PaymentAlert.Kind.REFUND_FAILED,
        message=f"Refund {refund.pk} of {format_amount(refund.amount, refund.currency)} "
        f"{refund.currency.upper()} on payment {refund.payment_id} failed "
        f"({refund.failure_message or 'no reason given'}); its amount is refundable again.",
        payment=refund.payment,
        stripe_id=refund.stripe_refund_id or "",
    )
