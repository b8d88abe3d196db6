"""The browser checkout: Stripe.js collects the card, the server charges it.

A flow that works with Stripe's own Stripe.js and with the emulator's:
1. `checkout_setup`: a SetupIntent (on the client's Customer when they agreed to save the card);
   the page confirms it with `stripe.confirmCardSetup`, which yields a PaymentMethod.
2. `checkout_pay`: a fresh Payment row and a PaymentIntent created and confirmed with that card in
   one call. `requires_action` (3-D Secure): the page runs `stripe.confirmCardPayment`.
3. The payment_intent.succeeded webhook marks payment and booking paid (payments.apply); the page
   polls the booking until it shows Paid. Succeeded is deliberately not applied here, so "paid"
   has one writer (the webhook, with reconciliation as its backstop).

Every attempt is its own Payment row and intent: the emulator cannot confirm an intent a second
time after a decline, and a new card must never race an earlier attempt still waiting for 3-D
Secure. The previous attempt is canceled at Stripe first, so the one-live-payment constraint holds.
Payment rows are claimed with the API's rules (payments.commands.intents.payment_claim: booking
lock, payable checks, hold renewal).
"""

import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from core.errors import Conflict, NotFound
from notifications.services import notify_payment_failed
from payments import stripe_client
from payments.apply.intents import payment_apply_intent
from payments.apply.lookup import payment_lock
from payments.commands.cancellation import payment_cancel_open
from payments.commands.intents import booking_check_payable, payment_claim, payment_release_claim
from payments.commands.stripe_errors import stripe_api_error
from payments.models import Payment

logger = logging.getLogger(__name__)

PAYMENT_METHOD_ID = re.compile(r"^(pm|card)_[A-Za-z0-9]{1,200}$")
SETUP_INTENT_ID = re.compile(r"^seti_[A-Za-z0-9]{1,200}$")


@dataclass(frozen=True)
class SavedCard:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        return f"{self.brand.title() or 'Card'} ending {self.last4}"


@dataclass(frozen=True)
class CheckoutAttempt:
    """What the page does next: `requires_action` -> confirmCardPayment(client_secret); any
    other status -> follow the booking to Paid."""

    status: str
    client_secret: str
    payment: Payment


def checkout_customer_id(client) -> str:
    """The client's Stripe Customer (holder of their saved cards): the newest one on their
    payments. A card saved in an attempt that never got as far as a payment is not offered."""
    return (
        Payment.objects.filter(booking__client=client)
        .exclude(stripe_customer_id="")
        .order_by("-created_at", "-id")
        .values_list("stripe_customer_id", flat=True)
        .first()
        or ""
    )


def checkout_saved_cards(*, client) -> list[SavedCard]:
    """Cards the client chose to keep. Stripe down: none offered, a new card still works."""
    customer = checkout_customer_id(client)
    if not customer:
        return []
    try:
        methods = stripe_client.list_cards(customer=customer)
    except stripe_client.StripeFailure as e:
        logger.warning("Could not list saved cards of %s: %s", customer, e.message)
        return []
    return [
        SavedCard(
            id=m.id,
            brand=m.card.brand or "",
            last4=m.card.last4 or "",
            exp_month=m.card.exp_month,
            exp_year=m.card.exp_year,
        )
        for m in methods
        if m.card is not None
    ]


def _client_booking(booking_id: int, client) -> Booking:
    booking = Booking.objects.filter(pk=booking_id, client=client).first()
    if booking is None:
        raise NotFound("Booking not found.")
    return booking


def checkout_setup(*, booking_id: int, client, save_card: bool) -> str:
    """A SetupIntent for the card form; returns its client_secret for confirmCardSetup."""
    booking = _client_booking(booking_id, client)
    with transaction.atomic():
        booking_check_payable(booking, timezone.now())
    try:
        customer = ""
        if save_card:
            customer = checkout_customer_id(client) or stripe_client.create_customer(user=client).id
        setup = stripe_client.create_setup_intent(booking_id=booking.pk, customer=customer or None)
    except stripe_client.StripeFailure as e:
        logger.error("Checkout setup failed for booking %s: %s", booking.pk, e.message)
        raise stripe_api_error(e, action="preparing the card form", booking_id=booking.pk) from e
    return setup.client_secret or ""


def _card_for(booking: Booking, client, setup_intent_id: str, payment_method_id: str):
    """(payment method, customer) to charge: a card just set up for THIS booking, or one saved
    on the client's own Customer. Anything else is refused before Stripe is asked to charge."""
    if setup_intent_id:
        if not SETUP_INTENT_ID.match(setup_intent_id):
            raise ValidationError("Please enter your card details again.")
        try:
            setup = stripe_client.retrieve_setup_intent(setup_intent_id)
        except stripe_client.StripeFailure as e:
            raise stripe_api_error(e, action="reading the card", booking_id=booking.pk) from e
        setup_data = setup.to_dict()
        method = setup_data.get("payment_method")
        method_id = method if isinstance(method, str) else (method or {}).get("id", "")
        customer = setup_data.get("customer")
        customer = customer if isinstance(customer, str) else (customer or {}).get("id", "")
        if (
            (setup_data.get("metadata") or {}).get("booking_id") != str(booking.pk)
            or setup_data.get("status") != "succeeded"
            or not method_id
        ):
            raise ValidationError("Please enter your card details again.")
        if customer:
            try:
                stripe_client.keep_card_on_customer(payment_method=method_id, customer=customer)
            except stripe_client.StripeFailure as e:
                raise stripe_api_error(e, action="saving the card", booking_id=booking.pk) from e
        return method_id, customer or ""
    if payment_method_id:
        customer = checkout_customer_id(client)
        if not PAYMENT_METHOD_ID.match(payment_method_id) or not customer:
            raise ValidationError("That saved card is not available; please enter a card.")
        if payment_method_id not in {c.id for c in checkout_saved_cards(client=client)}:
            raise ValidationError("That saved card is not available; please enter a card.")
        return payment_method_id, customer
    raise ValidationError("Please enter your card details.")


def _fresh_payment(*, booking_id: int, client, customer: str) -> Payment:
    """A new live Payment row for this attempt, the previous attempt (if any) canceled first."""
    for _ in range(2):
        payment, must_create = payment_claim(booking_id=booking_id, user=client)
        if must_create:
            if customer:
                Payment.objects.filter(pk=payment.pk).update(stripe_customer_id=customer)
                payment.stripe_customer_id = customer
            return payment
        if not payment.stripe_payment_intent_id:
            # Another window is paying right now, or Stripe did not answer our last attempt
            # (which may still go through): either way, a second charge must wait.
            raise Conflict(
                "A payment for this booking is still being confirmed with Stripe; "
                "please try again in a minute."
            )
        # A declined card, an abandoned or failed 3-D Secure, or the API's own intent.
        payment_cancel_open(payment)
        payment.refresh_from_db()
        if payment.status != Payment.Status.CANCELED:
            # Stripe refused the cancel: that attempt is going through after all.
            raise Conflict("Your previous payment is still being processed. Please wait.")
    raise Conflict(
        "A payment for this booking is still being confirmed with Stripe; "
        "please try again in a minute."
    )


def checkout_pay(
    *, booking_id: int, client, setup_intent_id: str = "", payment_method_id: str = ""
) -> CheckoutAttempt:
    """Charge the client's booking (amount from our row) to the card they chose.

    Raises NotFound (not their booking), ValidationError (unusable card reference, booking not
    payable), Conflict (already paid, attempt in flight), PaymentDeclined (Stripe's message for
    the cardholder), PaymentServiceError (Stripe unreachable).
    """
    booking = _client_booking(booking_id, client)
    method, customer = _card_for(booking, client, setup_intent_id, payment_method_id)
    payment = _fresh_payment(booking_id=booking.pk, client=client, customer=customer)
    try:
        intent = stripe_client.create_and_confirm_payment_intent(
            payment=payment, payment_method=method, customer=customer
        )
    except stripe_client.CardDeclined as e:
        _record_decline(payment, e)
        raise stripe_api_error(
            e, action="confirming the card", booking_id=payment.booking_id, payment_id=payment.pk
        ) from e
    except stripe_client.StripeFailure as e:
        if not isinstance(e, stripe_client.StripeOutcomeUnknown):
            # Stripe refused the request outright: no intent exists, so the client may simply
            # try again at once.
            payment_release_claim(payment, e)
        # Otherwise the attempt may exist at Stripe (and be charging the card): leave the row;
        # its intent carries our payment id in metadata, so its webhook still finds this row.
        raise stripe_api_error(
            e, action="confirming the card", booking_id=payment.booking_id, payment_id=payment.pk
        ) from e
    _record_intent(payment, intent)
    if Booking.objects.filter(pk=booking.pk, status=Booking.Status.CANCELLED).exists():
        # Cancelled (another tab, the trainer, an admin) while the card was being charged: the
        # cancel left this attempt open, as its charge was in flight. An intent still open is
        # canceled now; one that succeeded is refunded in full when its success is applied.
        if intent.status != "succeeded":
            payment_cancel_open(Payment.objects.get(pk=payment.pk))
        raise Conflict(
            "This booking was cancelled while your card was being charged; "
            "anything taken is refunded in full."
        )
    secret = intent.client_secret or "" if intent.status == "requires_action" else ""
    return CheckoutAttempt(status=intent.status, client_secret=secret, payment=payment)


def _record_decline(payment: Payment, error: stripe_client.CardDeclined) -> None:
    """Keep the decline on the row, then close the attempt so the next card starts afresh."""
    intent_id = getattr(error, "intent_id", "")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if intent_id and not locked.stripe_payment_intent_id:
            locked.stripe_payment_intent_id = intent_id
        if locked.can_move_to(Payment.Status.FAILED):
            locked.mark_failed(code=error.code, message=error.message)
            # Here, not from the payment_failed webhook: the attempt is canceled just below,
            # before that webhook arrives, and a canceled payment no longer moves to failed.
            notify_payment_failed(locked)
        locked.save()
    payment_cancel_open(locked)


def _record_intent(payment: Payment, intent) -> None:
    with transaction.atomic():
        # Stored whatever happened to the row meanwhile, so the intent's webhooks find it.
        Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id__isnull=True).update(
            stripe_payment_intent_id=intent.id,
            stripe_client_secret=intent.client_secret or "",
            updated_at=timezone.now(),
        )
        if intent.status != "succeeded":
            locked = payment_lock(intent_id=intent.id)
            if locked is not None:
                payment_apply_intent(locked, intent.to_dict())
    logger.info(
        "Checkout: payment %s booking %s intent %s %s",
        payment.pk,
        payment.booking_id,
        intent.id,
        intent.status,
    )
