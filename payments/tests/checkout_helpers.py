"""The browser checkout driven from tests: a card "set up" by Stripe.js (answered by the request
recorder, as the emulator cannot confirm a SetupIntent without a browser) and a pay call."""

from payments.commands.checkout import checkout_pay

SETUP_INTENT = "seti_test1"


def card_set_up_for(booking, payment_method="pm_card_visa"):
    """An answerer for stripe_requests: the SetupIntent the page confirmed for `booking`."""

    def answer(request):
        if request.method == "GET" and request.path == f"/v1/setup_intents/{SETUP_INTENT}":
            return 200, {
                "id": SETUP_INTENT,
                "object": "setup_intent",
                "status": "succeeded",
                "payment_method": payment_method,
                "customer": None,
                "metadata": {"booking_id": str(booking.pk)},
            }
        return None

    return answer


def pay(booking):
    return checkout_pay(booking_id=booking.pk, client=booking.client, setup_intent_id=SETUP_INTENT)
