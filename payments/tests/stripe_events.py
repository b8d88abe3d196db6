"""Stripe events built and signed in the test, for what localstripe never sends.

Shapes follow Stripe's API objects (only the fields FitConnect reads, plus the envelope), and the
signature is Stripe's scheme: `Stripe-Signature: t=<unix>,v1=HMAC_SHA256(secret, f"{t}.{body}")`.
"""

import hashlib
import hmac
import itertools
import json
import time

from django.conf import settings

WEBHOOK_URL = "/api/v1/payments/webhook/"
_ids = itertools.count(1)


def sign(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(type_: str, obj: dict, *, event_id: str | None = None, created: int | None = None):
    return {
        "id": event_id or f"evt_test_{next(_ids)}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
        "data": {"object": obj},
    }


def post(client, evt, *, signature: str | None = None, body: bytes | None = None):
    """POST a signed event to the webhook as Stripe does (raw JSON body)."""
    body = body if body is not None else json.dumps(evt).encode()
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(body)}
    return client.generic(
        "POST", WEBHOOK_URL, body, content_type="application/json; charset=utf-8", **headers
    )


def intent(payment, *, status: str, **extra) -> dict:
    obj = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": payment.amount,
        "currency": payment.currency,
        "status": status,
        "metadata": {"booking_id": str(payment.booking_id), "payment_id": str(payment.pk)},
        "last_payment_error": None,
        "latest_charge": None,
        "payment_method": None,
    }
    obj.update(extra)
    return obj


def refund(stripe_id: str, amount: int, *, status="succeeded", refund_id=None, currency="usd"):
    return {
        "id": stripe_id,
        "object": "refund",
        "amount": amount,
        "currency": currency,
        "status": status,
        "metadata": {"refund_id": str(refund_id)} if refund_id else {},
    }


def charge(payment, *, refunds: list[dict] | None = None, charge_id: str = "ch_test_1") -> dict:
    refunds = refunds or []
    return {
        "id": payment.stripe_charge_id or charge_id,
        "object": "charge",
        "amount": payment.amount,
        "amount_refunded": sum(r["amount"] for r in refunds if r["status"] == "succeeded"),
        "currency": payment.currency,
        "payment_intent": payment.stripe_payment_intent_id,
        "refunded": False,
        "refunds": {"object": "list", "data": refunds, "has_more": False},
    }


def dispute(payment, *, status: str, dispute_id: str = "dp_test_1") -> dict:
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": payment.amount,
        "currency": payment.currency,
        "charge": payment.stripe_charge_id,
        "payment_intent": payment.stripe_payment_intent_id,
        "reason": "fraudulent",
        "status": status,
    }


def payment(*, status="pending", intent_id=None, booking=None, **fields):
    """A Payment row as create-payment-intent leaves it (booking payment pending)."""
    from core.tests.factories import BookingFactory
    from payments.models import Payment

    booking = booking or BookingFactory(payment_status="pending")
    n = next(_ids)
    return Payment.objects.create(
        booking=booking,
        stripe_payment_intent_id=intent_id or f"pi_test_{n}_{int(time.time() * 1000)}",
        stripe_client_secret="pi_secret",
        amount=booking.price,
        currency=booking.currency,
        status=status,
        **fields,
    )
