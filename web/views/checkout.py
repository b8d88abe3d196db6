"""The payment page and the small JSON endpoints its script calls (same-origin, CSRF-checked)."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookings.models import Booking
from payments.commands.checkout import checkout_pay, checkout_saved_cards, checkout_setup
from web.errors import PAGE_ERRORS, page_error
from web.views.bookings import own_booking, policy_text

# Stripe's test cards, which Stripe's test mode and the emulator both know.
TEST_CARDS = [
    ("4242 4242 4242 4242", "pays at once"),
    ("4000 0025 0000 3155", "asks for 3-D Secure authentication"),
    ("4000 0000 0000 0341", "is declined"),
]


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _service_error(exc: Exception) -> JsonResponse:
    """The services' errors in plain words for the page (never a traceback)."""
    return _json_error(*page_error(exc))


@login_required
def booking_pay(request, pk: int):
    booking = own_booking(request, pk)
    if not booking.requires_payment():
        return redirect("web:booking_detail", pk=booking.pk)
    return render(
        request,
        "web/booking_pay.html",
        {
            "booking": booking,
            "policy": policy_text(),
            "saved_cards": checkout_saved_cards(client=request.user),
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
            # Test-mode keys never charge a real card: say which test cards to type.
            "test_cards": TEST_CARDS
            if settings.STRIPE_PUBLISHABLE_KEY.startswith("pk_test_")
            else [],
        },
    )


@login_required
@require_POST
def booking_pay_setup(request, pk: int):
    booking = own_booking(request, pk)
    save_card = _body(request).get("save_card") is True
    try:
        secret = checkout_setup(booking_id=booking.pk, client=request.user, save_card=save_card)
    except PAGE_ERRORS as e:
        return _service_error(e)
    return JsonResponse({"client_secret": secret})


@login_required
@require_POST
def booking_pay_confirm(request, pk: int):
    booking = own_booking(request, pk)
    data = _body(request)
    setup_intent, saved_card = data.get("setup_intent", ""), data.get("payment_method", "")
    if not isinstance(setup_intent, str) or not isinstance(saved_card, str):
        return _json_error("Please enter your card details.", 400)
    try:
        attempt = checkout_pay(
            booking_id=booking.pk,
            client=request.user,
            setup_intent_id=setup_intent,
            payment_method_id=saved_card,
        )
    except PAGE_ERRORS as e:
        return _service_error(e)
    return JsonResponse({"status": attempt.status, "client_secret": attempt.client_secret})


@login_required
@require_GET
def booking_status(request, pk: int):
    booking = own_booking(request, pk)
    return JsonResponse(
        {
            "status": booking.status,
            "payment_status": booking.payment_status,
            "payment_status_display": booking.get_payment_status_display(),
            "paid": booking.is_paid(),
            "can_pay": booking.requires_payment(),
            "expired": booking.status == Booking.Status.EXPIRED,
        }
    )
