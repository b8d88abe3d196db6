"""Refunds as Stripe makes them: never more than the charge has left, idempotent, and announced
by `charge.refunded` and `refund.created` events (localstripe records a refund silently and
accepts one beyond the charge). The refund itself is still localstripe's."""

from __future__ import annotations

import json
import urllib.parse

from stripe_emulator.errors import StripeError, missing, unknown_parameters
from stripe_emulator.params import as_int

REFUND_CREATE = {
    "amount",
    "charge",
    "currency",
    "customer",
    "expand",
    "instructions_email",
    "metadata",
    "origin",
    "payment_intent",
    "reason",
    "refund_application_fee",
    "reverse_transfer",
}
REASONS = {"duplicate", "fraudulent", "requested_by_customer"}


async def _charge_of(emu, call) -> dict:
    """The charge being refunded: named, or the intent's latest."""
    params = call.params
    if params.get("charge"):
        status, charge = await emu.localstripe_json("GET", f"/v1/charges/{params['charge']}", call)
        if status != 200:
            raise missing("charge", params["charge"], "charge")
        return charge
    intent_id = params.get("payment_intent")
    if not intent_id:
        raise StripeError(
            400,
            "One of the following params should be provided for this "
            "request: payment_intent or charge.",
        )
    status, intent = await emu.localstripe_json("GET", f"/v1/payment_intents/{intent_id}", call)
    if status != 200:
        raise missing("payment_intent", intent_id, "payment_intent")
    latest = intent.get("latest_charge")
    latest = latest.get("id") if isinstance(latest, dict) else latest
    if intent.get("status") != "succeeded" or not latest:
        raise StripeError(
            400,
            f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
            code="charge_not_refundable" if latest else "payment_intent_unexpected_state",
            param="payment_intent",
        )
    status, charge = await emu.localstripe_json("GET", f"/v1/charges/{latest}", call)
    if status != 200:
        raise missing("charge", latest, "charge")
    return charge


def _check_amount(charge: dict, amount: int | None) -> int:
    left = charge.get("amount", 0) - (charge.get("amount_refunded") or 0)
    if left <= 0:
        raise StripeError(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    if amount is None:
        return left
    if amount > left:
        raise StripeError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).",
            code="amount_too_large",
            param="amount",
        )
    return amount


async def create_refund(emu, call) -> dict:
    params = call.params
    unknown_parameters(params, REFUND_CREATE)
    amount = None
    if params.get("amount") not in (None, ""):
        amount = as_int(params["amount"])
        if amount is None or amount < 1:
            raise StripeError(400, "Invalid positive integer", param="amount")
    if params.get("reason") not in (None, "", *REASONS):
        raise StripeError(
            400, f"Invalid reason: must be one of {', '.join(sorted(REASONS))}", param="reason"
        )
    charge = await _charge_of(emu, call)
    amount = _check_amount(charge, amount)
    if params.get("payment_intent"):
        form = [("payment_intent", params["payment_intent"])]
    else:
        form = [("charge", charge["id"])]
    form.append(("amount", str(amount)))
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise StripeError(400, "Invalid object", param="metadata")
    form += [(f"metadata[{k}]", str(v)) for k, v in metadata.items()]
    status, _, content = await emu.localstripe(
        "POST",
        "/v1/refunds",
        {
            "Authorization": "Bearer sk_test_emulator",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urllib.parse.urlencode(form).encode(),
    )
    refund = json.loads(content)
    if status != 200:
        error = refund.get("error", {})
        raise StripeError(status, error.get("message", "The refund failed."))
    # Stripe's refund names the intent it refunds, and the reason it was given.
    refund["payment_intent"] = charge.get("payment_intent")
    refund["reason"] = params.get("reason") or None
    _, refunded = await emu.localstripe_json("GET", f"/v1/charges/{charge['id']}", call)
    refunded = refunded or charge
    refunded["transfer_group"] = emu.store.transfer_groups.get(charge.get("payment_intent"))
    emu.events.emit("charge.refunded", refunded, api_version=call.api_version)
    emu.events.emit("refund.created", refund, api_version=call.api_version)
    return refund
