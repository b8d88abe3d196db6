"""One booking's world for the money property and chaos tests: the client, the trainer, an admin,
Stripe (the emulator) and its webhooks, and what each of them can do (World.run), with the money
invariants checked against the rows and Stripe (check_invariants).

Operations (tuples, first the name):
- pay, pay_answer_lost, pay_declined: the browser checkout with a card that is charged (its
  answer lost on the way back) or declined;
- pay_through_the_api, then confirm with a card: success, decline, 3ds_ok or 3ds_failed (the
  cardholder passes or fails 3-D Secure);
- time_passes: five minutes for every attempt in flight; expire_holds: the hold of a pending
  booking runs out and expire_bookings runs; reconcile: a reconciliation half an hour later;
- client_cancels, trainer_cancels, admin_cancels;
- trainer_refunds (answer lost: trainer_refunds_answer_lost), dashboard_refunds (made in the
  Stripe Dashboard, nothing of ours in it);
- new_booking: the client books another session (the next operations act on it);
- ("deliver", n): the n-th event Stripe has for us, any of them twice, late, or never.
"""

import contextlib
import datetime as dt
import urllib.parse
import urllib.request

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_expire_stale
from core.errors import DomainError
from core.tests.factories import AdminFactory, BookingFactory, future
from payments.models import Payment, Refund
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se
from payments.tests.checkout_helpers import card_set_up_for, pay

LOST = (503, {"error": {"type": "api_error", "message": "Service unavailable."}})
THREE_DS_CARD = "4000002500003155"
DECLINED = "pm_card_chargeCustomerFail"
SENT = ("payment_intent.", "charge.refunded", "refund.created")


class World:
    """One example: a booking 5 h ahead (a client cancelling gets 50%), Stripe, the client, the
    trainer and an admin. `bookings` are every booking made; operations act on the last."""

    def __init__(self, localstripe, stripe_requests, as_user, api):
        self.stripe, self.requests, self.as_user, self.api = (
            localstripe,
            stripe_requests,
            as_user,
            api,
        )
        self.booking = BookingFactory(start_time=future(5))
        self.bookings = [self.booking]
        self.admin = None
        self.card = "pm_card_visa"
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
                body.update(allowed_payment_method_types=["card"], confirm=True)
                with contextlib.suppress(Exception):  # a declined card: the intent exists
                    self.stripe.sdk.v1.payment_intents.create(body)
            else:
                self.stripe.sdk.v1.refunds.create(body)
            return LOST
        return card_set_up_for(self.booking, self.card)(request)

    def events(self) -> list[dict]:
        """What Stripe would send us, oldest first: its payment_intent.*, charge.refunded and
        refund.created events, and a refund.updated for each refund (as Stripe sends when a
        refund settles later)."""
        listed = [e.to_dict() for e in self.stripe.sdk.v1.events.list({"limit": 100}).data]
        events = sorted(
            (e for e in listed if e["type"].startswith(SENT)),
            key=lambda e: e["created"],
        )
        for intent in self.stripe.intents():
            if intent.status != "succeeded":
                continue  # nothing to refund (and the emulator answers a 500 for its refunds)
            for refund in self.stripe.refunds(intent.id):
                events.append(
                    se.event("refund.updated", refund.to_dict(), event_id=f"evt_{refund.id}")
                )
        return events

    def _confirm(self, intent_id: str, card: str) -> None:
        """What the browser does with the intent: a card charged, declined, or sent through
        3-D Secure that the cardholder passes (3ds_ok) or fails (3ds_failed). The emulator
        refuses some of it (a decline with a 402, confirming an intent the API returned again
        once it is past confirmation with a 500): the browser shows an error, the app is not
        involved."""
        with contextlib.suppress(Exception):
            if card in ("success", "decline"):
                self.stripe.confirm(intent_id, "pm_card_visa" if card == "success" else DECLINED)
                return
            method = self.stripe.sdk.v1.payment_methods.create(
                {
                    "type": "card",
                    "card": {
                        "number": THREE_DS_CARD,
                        "exp_month": 12,
                        "exp_year": 2034,
                        "cvc": "123",
                    },
                }
            )
            intent = self.stripe.confirm(intent_id, method.id)
            if intent.status == "requires_action":
                _authenticate(self.stripe.base, intent, success=card == "3ds_ok")

    def run(self, op) -> None:
        name = op[0]
        client_api = self.as_user(self.booking.client)
        trainer_api = self.as_user(self.booking.trainer.user)
        if name in ("pay", "pay_answer_lost", "pay_declined"):
            self.lose_next_answer = name == "pay_answer_lost"
            self.card = DECLINED if name == "pay_declined" else "pm_card_visa"
            # Refused (already paid, cancelled, in flight), declined or lost: the client may
            # retry.
            with contextlib.suppress(DomainError, ValidationError):
                pay(self.booking)
            self.lose_next_answer = False
            self.card = "pm_card_visa"
        elif name == "pay_through_the_api":
            response = client_api.post(
                "/api/v1/payments/create-payment-intent/",
                {"booking_id": self.booking.pk},
                format="json",
            )
            assert response.status_code < 500, response.content
            if response.status_code == 200:
                self._confirm(
                    response.json()["payment_intent_id"], op[1] if len(op) > 1 else "success"
                )
        elif name == "time_passes":
            # The retry delay and the webhook's usual lateness, for every attempt in flight.
            Payment.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=5))
        elif name == "expire_holds":
            Booking.objects.filter(status=Booking.Status.PENDING).update(
                hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
            )
            booking_expire_stale()
        elif name == "reconcile":
            summary = reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
            assert summary.failures == [], summary.failures
        elif name in ("client_cancels", "trainer_cancels", "admin_cancels"):
            if name == "admin_cancels":
                self.admin = self.admin or AdminFactory()
                who = self.as_user(self.admin)
            else:
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
        elif name == "dashboard_refunds":
            # Someone refunds 5.00 in the Stripe Dashboard, if Stripe has that much left.
            for intent in self.stripe.intents():
                if intent.status == "succeeded" and intent.id == self._live_intent_id():
                    refunded = sum(
                        r.amount for r in self.stripe.refunds(intent.id) if r.status != "failed"
                    )
                    if intent.amount - refunded >= 500:
                        self.stripe.sdk.v1.refunds.create(
                            {"payment_intent": intent.id, "amount": 500}
                        )
        elif name == "new_booking":
            self.booking = BookingFactory(
                client=self.booking.client,
                trainer=self.booking.trainer,
                start_time=future(5 + 2 * len(self.bookings)),
            )
            self.bookings.append(self.booking)
        else:  # deliver
            events = self.events()
            if events:
                response = se.post(self.api, events[op[1] % len(events)])
                assert response.status_code == 200, response.content

    def _live_intent_id(self) -> str | None:
        payment = Payment.objects.filter(booking=self.booking).order_by("-id").first()
        return payment.stripe_payment_intent_id if payment else None


def _authenticate(base: str, intent, *, success: bool) -> None:
    """The cardholder's answer to 3-D Secure, as the emulator's Stripe.js sends it."""
    body = urllib.parse.urlencode(
        {"client_secret": intent.client_secret, "success": str(success).lower()}
    ).encode()
    request = urllib.request.Request(
        f"{base}/v1/payment_intents/{intent.id}/_authenticate",
        data=body,
        method="POST",
        headers={"Authorization": "Bearer sk_test_x"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def check_invariants(world: World) -> None:
    """After a reconciliation: Stripe's money and ours agree, and the rows' own rules hold."""
    stripe_intents = [
        i for i in world.stripe.intents() if (i.to_dict().get("metadata") or {}).get("payment_id")
    ]
    for intent in stripe_intents:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent.id).first()
        if intent.status == "succeeded":
            assert payment is not None, f"intent {intent.id} succeeded at Stripe, no row has it"
        if payment is None:
            continue
        refunds = world.stripe.refunds(intent.id) if intent.status == "succeeded" else []
        theirs = sum(r.amount for r in refunds if r.status == "succeeded")
        ours = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(t=Sum("amount"))
        assert (ours["t"] or 0) == theirs, f"refunds of payment {payment.pk}"
    check_rows(world)
    for payment in Payment.objects.exclude(refund_in_full_reason=""):
        assert payment.refund_amount == payment.amount, f"payment {payment.pk} kept unwanted money"


def check_rows(world: World) -> None:
    """What holds after every step, whatever is still in flight: fee + payout = amount and
    what each keeps = amount - refunds on every payment; no refund beyond the amount; no
    booking both refunded in full and confirmed; no booking paid more than its price."""
    for payment in Payment.objects.all():
        assert payment.platform_fee_amount + payment.trainer_payout_amount == payment.amount
        assert payment.net_platform_fee + payment.net_trainer_payout == (
            payment.amount - payment.refund_amount
        )
        assert payment.refunds_granted() <= payment.amount, f"payment {payment.pk} over-refunded"
    for booking in Booking.objects.filter(pk__in=[b.pk for b in world.bookings]):
        assert not (
            booking.payment_status == Booking.PaymentStatus.REFUNDED
            and booking.status == Booking.Status.CONFIRMED
        ), f"booking {booking.pk} refunded in full and confirmed"
        kept = [
            p.amount - p.refund_amount
            for p in Payment.objects.filter(booking=booking, status__in=Payment.COLLECTED_STATUSES)
        ]
        assert sum(kept) <= booking.price, f"the client paid more than booking {booking.pk}'s price"
