"""What each Stripe event type does: {event_type: EventHandler}.

A handler has two halves. `fetch` runs first, outside any transaction, and may call Stripe (so a
slow Stripe never holds our row locks); `apply` runs inside the transaction that claims the event,
locks the payment row and applies the object through payments.sync. Types not listed here are
stored and acknowledged, nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from payments import stripe_client
from payments.models import Payment
from payments.sync import (
    SyncResult,
    payment_apply_dispute,
    payment_apply_intent,
    payment_apply_refunds,
    payment_lock,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventHandler:
    apply: Callable[[dict, Any], SyncResult]
    fetch: Callable[[dict], Any] | None = None


def _metadata_payment_id(obj: dict):
    metadata = obj.get("metadata")
    return metadata.get("payment_id") if isinstance(metadata, dict) else None


def _unknown(kind: str, stripe_id) -> SyncResult:
    # Another integration on the same Stripe account, or an intent from before a database
    # restore: nothing of ours to change. Stored and acknowledged so Stripe stops retrying.
    logger.info("Stripe %s %s matches no payment of ours: ignored", kind, stripe_id)
    return SyncResult(notes=[f"unknown {kind} {stripe_id}"])


# --- payment_intent.* ----------------------------------------------------------------------------
def fetch_intent(intent: dict) -> dict | None:
    """Stripe's current view of the intent, when it could still change our payment.

    Events arrive late, twice and out of order; the event's copy of the intent may be stale (a
    payment_failed delivered after the retry with another card succeeded). Asking Stripe for
    the intent as it is now makes every payment_intent.* event order-proof, and fills the card
    details that the event's copy lacks (latest_charge as a bare id, no PaymentMethod).
    """
    intent_id = intent.get("id") or ""
    if not intent_id:
        return None
    payment = (
        Payment.objects.filter(stripe_payment_intent_id=intent_id)
        .only("status", "stripe_charge_id", "card_last4")
        .first()
    )
    metadata_id = str(_metadata_payment_id(intent) or "")
    if payment is None and metadata_id.isdigit():
        # Our create call's response was lost: the row has no intent id yet.
        payment = Payment.objects.filter(pk=int(metadata_id), stripe_payment_intent_id=None).first()
    if payment is None:
        return None
    done = payment.status in Payment.COLLECTED_STATUSES
    if done and payment.stripe_charge_id and payment.card_last4:
        return None  # succeeded is final at Stripe: nothing it says now can move this payment
    return stripe_client.retrieve_payment_intent(intent_id).to_dict()


def apply_intent(intent: dict, fresh: dict | None) -> SyncResult:
    intent_id = intent.get("id") or ""
    payment = payment_lock(intent_id=intent_id, payment_id=_metadata_payment_id(intent))
    if payment is None:
        return _unknown("payment intent", intent_id)
    if not payment.stripe_payment_intent_id:
        payment.stripe_payment_intent_id = intent_id
    return payment_apply_intent(payment, fresh or intent)


# --- charge.refunded -----------------------------------------------------------------------------
def _charge_refunds(charge: dict) -> list[dict] | None:
    """The refunds embedded in the event's charge, None when Stripe left them out or paged them
    (API versions since 2022-11-15 no longer embed `refunds` in a charge)."""
    refunds = charge.get("refunds")
    complete = isinstance(refunds, dict) and not refunds.get("has_more")
    if complete and isinstance(refunds.get("data"), list):
        return refunds["data"]
    return None


def fetch_charge_refunds(charge: dict) -> list[dict] | None:
    if _charge_refunds(charge) is not None or not charge.get("payment_intent"):
        return None
    return [
        r.to_dict() for r in stripe_client.list_refunds(payment_intent_id=charge["payment_intent"])
    ]


def apply_charge_refunded(charge: dict, fresh: list[dict] | None) -> SyncResult:
    payment = payment_lock(
        intent_id=charge.get("payment_intent") or "",
        charge_id=charge.get("id") or "",
        payment_id=_metadata_payment_id(charge),
    )
    if payment is None:
        return _unknown("charge", charge.get("id"))
    if not payment.stripe_charge_id and charge.get("id"):
        payment.stripe_charge_id = charge["id"]
        payment.save(update_fields=["stripe_charge_id", "updated_at"])
    refunds = fresh if fresh is not None else (_charge_refunds(charge) or [])
    return payment_apply_refunds(payment, refunds)


# --- charge.dispute.* ----------------------------------------------------------------------------
def _dispute_payment(dispute: dict) -> Payment | None:
    charge = dispute.get("charge")
    return payment_lock(
        intent_id=dispute.get("payment_intent") or "",
        charge_id=charge if isinstance(charge, str) else (charge or {}).get("id", ""),
    )


def apply_dispute_open(dispute: dict, fresh: None) -> SyncResult:
    payment = _dispute_payment(dispute)
    if payment is None:
        return _unknown("dispute", dispute.get("id"))
    return payment_apply_dispute(payment, dispute, closed=False)


def apply_dispute_closed(dispute: dict, fresh: None) -> SyncResult:
    payment = _dispute_payment(dispute)
    if payment is None:
        return _unknown("dispute", dispute.get("id"))
    return payment_apply_dispute(payment, dispute, closed=True)


_intent = EventHandler(fetch=fetch_intent, apply=apply_intent)

EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": _intent,
    "payment_intent.payment_failed": _intent,
    "payment_intent.canceled": _intent,
    "payment_intent.requires_action": _intent,
    "payment_intent.processing": _intent,
    "charge.refunded": EventHandler(fetch=fetch_charge_refunds, apply=apply_charge_refunded),
    "charge.dispute.created": EventHandler(apply=apply_dispute_open),
    "charge.dispute.updated": EventHandler(apply=apply_dispute_open),
    "charge.dispute.closed": EventHandler(apply=apply_dispute_closed),
}
