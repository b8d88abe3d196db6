"""Finding our rows for Stripe's objects, and what applying one did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from payments import stripe_objects
from payments.models import Payment


def our_id(value: Any) -> int | None:
    """One of our row ids as we put it in Stripe metadata ("42"), None for anything else
    (str.isdigit alone accepts "²", which int() refuses, and any number of digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def metadata_payment_id(obj: dict) -> int | None:
    """The payment id we put in the metadata of an intent, a charge or a refund."""
    return our_id(stripe_objects.field(stripe_objects.field(obj, "metadata"), "payment_id"))


@dataclass
class ApplyResult:
    """What applying one Stripe object did (for logs, the reconcile summary and tests), and what
    the caller must do once the transaction has committed."""

    payment: Payment | None = None
    changed: bool = False
    # The payment just succeeded but we no longer want its money (Payment.refund_in_full_reason):
    # refund it after commit (Stripe is never called under our row locks).
    refund_in_full: bool = False
    # The payment is collected but its card is not known yet: fetch it from Stripe after commit
    # (payments.commands.details), which also records the receipt.
    fetch_details: bool = False
    notes: list[str] = field(default_factory=list)


def payment_lock(*, intent_id: str = "", charge_id: str = "", payment_id=None) -> Payment | None:
    """The payment row for a Stripe intent or charge (or our id), locked until commit.

    Callers are inside transaction.atomic(). Metadata payment_id is the fallback for an intent
    whose id we have not stored yet (the create call's response was lost).
    """
    qs = Payment.objects.select_for_update()
    if intent_id:
        payment = qs.filter(stripe_payment_intent_id=intent_id).first()
        if payment is not None:
            return payment
    if charge_id:
        payment = qs.filter(stripe_charge_id=charge_id).first()
        if payment is not None:
            return payment
    payment_id = our_id(payment_id)
    if payment_id:
        payment = qs.filter(pk=payment_id).first()
        # Only adopt an intent id for a row that has none: metadata alone never re-points a
        # payment at another intent.
        if payment is not None and (
            not payment.stripe_payment_intent_id or payment.stripe_payment_intent_id == intent_id
        ):
            return payment
    return None
