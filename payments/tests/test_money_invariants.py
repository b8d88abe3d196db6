"""Property: whatever the interleaving of API cancels, refunds, checkout attempts (some of whose
answers are lost, then retried) and webhook deliveries (duplicated, reordered, dropped), one
reconciliation afterwards leaves:
- our succeeded refunds equal to Stripe's, intent by intent;
- no intent that succeeded at Stripe without its payment row;
- fee + payout = amount - refunds on every payment;
- no booking both refunded in full and confirmed;
- no booking paid more than its price, and no money we no longer want kept;
and no webhook answered 500 along the way.

Hypothesis draws the operations; each example starts from an empty database (a rolled-back
transaction) and an empty emulator. Derandomized with a bounded number of examples, so the
suite runs the same ones every time in a few seconds; MONEY_PROPERTY_EXAMPLES raises the count
for a longer hunt (make test-money-property).
"""

import contextlib
import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bookings.models import Booking
from core.errors import DomainError
from core.tests.factories import BookingFactory, future
from payments.models import Payment, Refund
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se
from payments.tests.checkout_helpers import card_set_up_for, pay

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
EXAMPLES = int(os.environ.get("MONEY_PROPERTY_EXAMPLES", "12"))
LOST = (503, {"error": {"type": "api_error", "message": "Service unavailable."}})

CHANGES = st.sampled_from(
    [
        ("pay",),
        ("pay_answer_lost",),
        ("pay_through_the_api",),
        ("time_passes",),
        ("client_cancels",),
        ("trainer_cancels",),
        ("trainer_refunds",),
        ("trainer_refunds_answer_lost",),
    ]
)
# Deliver the n-th event Stripe has for us: any may come twice, late, or never.
DELIVERIES = st.tuples(st.just("deliver"), st.integers(min_value=0, max_value=20))
# Three changes to one delivery: interleavings of several changes are the rarer, richer ones.
OPERATIONS = st.lists(st.one_of(CHANGES, CHANGES, CHANGES, DELIVERIES), min_size=1, max_size=10)


class World:
    """One example: a booking 5 h ahead (a client cancelling gets 50%), Stripe, the client."""

    def __init__(self, localstripe, stripe_requests, as_user, api):
        self.stripe, self.requests, self.as_user, self.api = (
            localstripe,
            stripe_requests,
            as_user,
            api,
        )
        self.booking = BookingFactory(start_time=future(5))
        self.lose_next_answer = False
        self.requests.answer(self._answer)

    def _answer(self, request):
        if (
            self.lose_next_answer
            and request.method == "POST"
            and request.path
            in (
                "/v1/payment_intents",
                "/v1/refunds",
            )
        ):
            # Stripe does the work, then the connection drops before its answer.
            self.lose_next_answer = False
            params = dict(request.params)
            body = {k: v for k, v in params.items() if not k.startswith("metadata[")}
            body["metadata"] = {
                k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")
            }
            for key in ("amount",):
                body[key] = int(body[key])
            for key in ("allowed_payment_method_types[0]", "payment_method_types[0]"):
                body.pop(key, None)
            if request.path == "/v1/payment_intents":
                body.update(payment_method_types=["card"], confirm=True)
                self.stripe.sdk.v1.payment_intents.create(body)
            else:
                self.stripe.sdk.v1.refunds.create(body)
            return LOST
        return card_set_up_for(self.booking)(request)

    def events(self) -> list[dict]:
        """What Stripe would send us: its payment_intent.* events, and refund.updated for each
        refund (the emulator sends no refund events), oldest first."""
        listed = [e.to_dict() for e in self.stripe.sdk.v1.events.list({"limit": 100}).data]
        events = sorted(
            (e for e in listed if e["type"].startswith("payment_intent.")),
            key=lambda e: e["created"],
        )
        for intent in self.stripe.intents():
            for refund in self.stripe.refunds(intent.id):
                events.append(
                    se.event("refund.updated", refund.to_dict(), event_id=f"evt_{refund.id}")
                )
        return events

    def run(self, op) -> None:
        name = op[0]
        client_api = self.as_user(self.booking.client)
        trainer_api = self.as_user(self.booking.trainer.user)
        if name in ("pay", "pay_answer_lost"):
            self.lose_next_answer = name == "pay_answer_lost"
            # Refused (already paid, cancelled, in flight) or lost: the client may retry.
            with contextlib.suppress(DomainError, ValidationError):
                pay(self.booking)
            self.lose_next_answer = False
        elif name == "pay_through_the_api":
            response = client_api.post(
                "/api/v1/payments/create-payment-intent/",
                {"booking_id": self.booking.pk},
                format="json",
            )
            assert response.status_code < 500, response.content
            if response.status_code == 200:
                self.stripe.confirm(response.json()["payment_intent_id"])
        elif name == "time_passes":
            # The retry delay and the webhook's usual lateness, for every attempt in flight.
            Payment.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=5))
        elif name in ("client_cancels", "trainer_cancels"):
            who = client_api if name == "client_cancels" else trainer_api
            response = who.post(f"/api/v1/bookings/{self.booking.pk}/cancel/", {}, format="json")
            assert response.status_code < 500, response.content
        elif name in ("trainer_refunds", "trainer_refunds_answer_lost"):
            payment = Payment.live().filter(booking=self.booking).first()
            if payment is not None:
                self.lose_next_answer = name == "trainer_refunds_answer_lost"
                response = trainer_api.post(
                    f"/api/v1/payments/{payment.pk}/refund/",
                    {"amount": "10.00", "reason": "Goodwill"},
                    format="json",
                )
                self.lose_next_answer = False
                assert response.status_code in (200, 400, 502), response.content
        else:  # deliver
            events = self.events()
            if events:
                response = se.post(self.api, events[op[1] % len(events)])
                assert response.status_code == 200, response.content


def check_invariants(world: World) -> None:
    stripe_intents = [
        i for i in world.stripe.intents() if (i.to_dict().get("metadata") or {}).get("payment_id")
    ]
    for intent in stripe_intents:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent.id).first()
        if intent.status == "succeeded":
            assert payment is not None, f"intent {intent.id} succeeded at Stripe, no row has it"
        if payment is None:
            continue
        theirs = sum(r.amount for r in world.stripe.refunds(intent.id) if r.status == "succeeded")
        ours = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(t=Sum("amount"))
        assert (ours["t"] or 0) == theirs, f"refunds of payment {payment.pk}"
    for payment in Payment.objects.all():
        assert payment.net_platform_fee + payment.net_trainer_payout == (
            payment.amount - payment.refund_amount
        )
    booking = Booking.objects.get(pk=world.booking.pk)
    assert not (
        booking.payment_status == Booking.PaymentStatus.REFUNDED
        and booking.status == Booking.Status.CONFIRMED
    )
    kept = [
        p.amount - p.refund_amount
        for p in Payment.objects.filter(booking=booking, status__in=Payment.COLLECTED_STATUSES)
    ]
    assert sum(kept) <= booking.price, "the client paid more than the booking's price"
    for payment in Payment.objects.exclude(refund_in_full_reason=""):
        assert payment.refund_amount == payment.amount, f"payment {payment.pk} kept unwanted money"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Each example resets the database and the emulator itself (see below).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
# The interleavings the scenarios of the regression tests are made of, always tried first.
@example(operations=[("pay_answer_lost",), ("time_passes",), ("pay",), ("deliver", 1)])
@example(operations=[("pay",), ("trainer_refunds_answer_lost",), ("client_cancels",)])
@example(operations=[("pay_through_the_api",), ("client_cancels",), ("deliver", 0)])
@example(operations=[("pay",), ("trainer_cancels",), ("deliver", 1), ("deliver", 0)])
def test_money_invariants_hold_after_any_interleaving_and_one_reconciliation(
    operations, localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks
):
    localstripe.reset()
    with transaction.atomic():
        world = World(localstripe, stripe_requests, as_user, api)
        for op in operations:
            with django_capture_on_commit_callbacks(execute=True):
                world.run(op)
        with django_capture_on_commit_callbacks(execute=True):
            summary = reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
        assert summary.failures == []
        check_invariants(world)
        transaction.set_rollback(True)
