"""What each Stripe event type does: {event_type: EventHandler}, the apply layer's door.

A handler has two halves. `fetch` (optional) runs first, outside any transaction, and may call
Stripe (so a slow Stripe never holds our row locks): charge.refunded needs one, for refunds its
event leaves out, and account.updated, whose copy may be older than the account. `apply` runs
inside the transaction that claims the event (payments.intake), finds and locks the payment row
(or the trainer's, for a connected account) and applies the object through payments.apply.
Types not listed here are stored and acknowledged, nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from payments import stripe_client, stripe_objects
from payments.alerts import alert_raise
from payments.apply.accounts import apply_account, apply_payout, apply_transfer
from payments.apply.disputes import payment_apply_dispute
from payments.apply.intents import payment_apply_intent
from payments.apply.lookup import ApplyResult, metadata_payment_id, payment_lock
from payments.apply.refunds import payment_apply_refunds
from payments.models import Payment, PaymentAlert

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventHandler:
    apply: Callable[[dict, Any], ApplyResult]
    fetch: Callable[[dict], Any] | None = None
    # apply gets the whole event instead of its object (a connected account's event names the
    # account only in the envelope).
    whole_event: bool = False


def _unknown(kind: str, stripe_id) -> ApplyResult:
    # Another integration on the same Stripe account, or an intent from before a database
    # restore: nothing of ours to change. Stored and acknowledged so Stripe stops retrying.
    logger.info("Stripe %s %s matches no payment of ours: ignored", kind, stripe_id)
    return ApplyResult(notes=[f"unknown {kind} {stripe_id}"])


# --- payment_intent.* ----------------------------------------------------------------------------
# The event's own copy of the intent is applied, with no call to Stripe in the request.
# Re-fetching the intent for the truth would make every delivery wait on Stripe (5 ms
# against the emulator, which alone caps retrieves at ~175/s: a fast path is impossible with
# it). The re-fetch is unnecessary for order-proofing because Payment.TRANSITIONS already is:
# - succeeded is final for an intent, and no payment_failed, requires_action or canceled can
#   leave SUCCEEDED, so a late one is ignored whatever its copy says;
# - a stale failure delivered BEFORE the success moves the payment to failed, from which the
#   success (always sent once the intent succeeds) moves it on; the booking's payment status
#   is derived from the payment (payments.apply.derivation), so it follows;
# - a stale in-progress state (requires_action after the attempt failed) can only leave the
#   payment open, never paid or unpaid wrongly; reconciliation re-fetches every payment left
#   open (or failed) for RECONCILE_AFTER_MINUTES, and create-payment-intent asks Stripe before
#   reusing one.
# What the copy lacks is the card (brand, last4), the receipt URL and the charge as an object:
# payments.commands.details fetches those after commit (a task) and records the receipt there.
# The truth is still fetched from Stripe, just never in the request path: by that task, by
# reconciliation (its open-payment sweep and its fill-details sweep), and by the browser
# checkout, which reads the intent Stripe returns.
def apply_intent(intent: dict, fresh: None) -> ApplyResult:
    intent_id = stripe_objects.text(intent, "id")
    ours = metadata_payment_id(intent)
    payment = payment_lock(intent_id=intent_id, payment_id=ours)
    if payment is None:
        if ours and stripe_objects.text(intent, "status") == "succeeded":
            return _unmatched_charge(intent_id, ours)
        return _unknown("payment intent", intent_id)
    if not payment.stripe_payment_intent_id:
        payment.stripe_payment_intent_id = intent_id
    return payment_apply_intent(payment, intent)


def _unmatched_charge(intent_id: str, payment_id: int) -> ApplyResult:
    """A charge that carries our metadata but matches no payment row: money we took and cannot
    account for. Never silent: an alert for a person (the event is still acknowledged)."""
    alert_raise(
        key=f"unmatched:{intent_id}",
        kind=PaymentAlert.Kind.UNMATCHED_CHARGE,
        message=f"Intent {intent_id} succeeded with our payment id {payment_id} in its "
        "metadata, but no payment row has it: find the client and refund or record it.",
        stripe_id=intent_id,
    )
    return ApplyResult(notes=[f"unmatched succeeded intent {intent_id}"])


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
    if _charge_refunds(charge) is not None or not stripe_objects.text(charge, "payment_intent"):
        return None
    return [
        r.to_dict() for r in stripe_client.list_refunds(payment_intent_id=charge["payment_intent"])
    ]


def apply_charge_refunded(charge: dict, fresh: list[dict] | None) -> ApplyResult:
    payment = payment_lock(
        intent_id=stripe_objects.text(charge, "payment_intent"),
        charge_id=stripe_objects.text(charge, "id"),
        payment_id=metadata_payment_id(charge),
    )
    if payment is None:
        return _unknown("charge", charge.get("id"))
    if not payment.stripe_charge_id and stripe_objects.text(charge, "id"):
        payment.stripe_charge_id = stripe_objects.text(charge, "id")
        payment.save(update_fields=["stripe_charge_id", "updated_at"])
    refunds = fresh if fresh is not None else (_charge_refunds(charge) or [])
    return payment_apply_refunds(payment, refunds)


# --- refund.updated, refund.failed, charge.refund.updated ---------------------------------------
def apply_refund(refund: dict, fresh: None) -> ApplyResult:
    """One refund's new status (Stripe answers some refunds `pending` and settles them later)."""
    charge = refund.get("charge")
    payment = payment_lock(
        intent_id=stripe_objects.text(refund, "payment_intent"),
        # An id, or the charge expanded into an object.
        charge_id=stripe_objects.text(refund, "charge") or stripe_objects.text(charge, "id"),
        payment_id=metadata_payment_id(refund),
    )
    if payment is None:
        return _unknown("refund", refund.get("id"))
    return payment_apply_refunds(payment, [refund])


# --- charge.dispute.* ----------------------------------------------------------------------------
def _dispute_payment(dispute: dict) -> Payment | None:
    charge = dispute.get("charge")
    return payment_lock(
        intent_id=stripe_objects.text(dispute, "payment_intent"),
        # An id, or the charge expanded into an object.
        charge_id=stripe_objects.text(dispute, "charge") or stripe_objects.text(charge, "id"),
    )


def apply_dispute(dispute: dict, fresh: None) -> ApplyResult:
    payment = _dispute_payment(dispute)
    if payment is None:
        return _unknown("dispute", dispute.get("id"))
    return payment_apply_dispute(payment, dispute)


# --- Connect: account.updated, transfer.*, payout.* ---------------------------------------------
def fetch_account(account: dict) -> dict | None:
    """The account as Stripe knows it now: account.updated events may arrive out of order, and
    payouts_enabled moves both ways (Stripe disables payouts when a requirement is overdue)."""
    account_id = stripe_objects.text(account, "id")
    return stripe_client.retrieve_account(account_id).to_dict() if account_id else None


_intent = EventHandler(apply=apply_intent)
_transfer = EventHandler(apply=apply_transfer)
_payout = EventHandler(apply=apply_payout, whole_event=True)

EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.succeeded": _intent,
    "payment_intent.payment_failed": _intent,
    "payment_intent.canceled": _intent,
    "payment_intent.requires_action": _intent,
    "payment_intent.processing": _intent,
    "charge.refunded": EventHandler(fetch=fetch_charge_refunds, apply=apply_charge_refunded),
    "refund.created": EventHandler(apply=apply_refund),
    "refund.updated": EventHandler(apply=apply_refund),
    "refund.failed": EventHandler(apply=apply_refund),
    "charge.refund.updated": EventHandler(apply=apply_refund),
    "charge.dispute.created": EventHandler(apply=apply_dispute),
    "charge.dispute.updated": EventHandler(apply=apply_dispute),
    "charge.dispute.closed": EventHandler(apply=apply_dispute),
    "account.updated": EventHandler(fetch=fetch_account, apply=apply_account),
    "transfer.created": _transfer,
    "transfer.updated": _transfer,
    "transfer.reversed": _transfer,
    "payout.paid": _payout,
    "payout.failed": _payout,
}
