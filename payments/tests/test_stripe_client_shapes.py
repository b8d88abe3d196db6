"""Reading an intent in both shapes Stripe can return (latest_charge as an id or an object)."""

import pytest
import stripe

from payments import stripe_client, stripe_objects


def intent(**fields):
    return stripe.PaymentIntent.construct_from(
        {"id": "pi_1", "object": "payment_intent", **fields}, "sk_test_x"
    )


def test_it_reads_the_charge_details_when_stripe_gives_them():
    pi = intent(
        latest_charge={
            "id": "ch_1",
            "object": "charge",
            "receipt_url": "https://pay.stripe.com/receipts/ch_1",
            "payment_method_details": {
                "type": "card",
                "card": {"brand": "mastercard", "last4": "4444"},
            },
        },
        payment_method={
            "id": "pm_1",
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": "4242"},
        },
    )
    assert stripe_objects.charge_id(pi) == "ch_1"
    assert stripe_objects.receipt_url(pi) == "https://pay.stripe.com/receipts/ch_1"
    assert stripe_objects.card_details(pi) == ("card", "mastercard", "4444")


def test_it_falls_back_to_the_payment_method_like_the_emulator_needs():
    pi = intent(
        latest_charge={"id": "ch_2", "object": "charge"},
        payment_method={
            "id": "pm_1",
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": "4242"},
        },
    )
    assert stripe_objects.card_details(pi) == ("card", "visa", "4242")
    assert stripe_objects.receipt_url(pi) == ""


def test_it_accepts_ids_instead_of_objects():
    pi = intent(latest_charge="ch_3", payment_method="pm_3")
    assert stripe_objects.charge_id(pi) == "ch_3"
    assert stripe_objects.card_details(pi) == ("", "", "")
    assert stripe_objects.receipt_url(pi) == ""


def test_it_reads_nothing_from_an_unpaid_intent():
    pi = intent(latest_charge=None, last_payment_error=None)
    assert stripe_objects.charge_id(pi) == ""
    assert stripe_objects.last_payment_error(pi) == ("", "")


def test_it_prefers_the_decline_code():
    pi = intent(
        last_payment_error={
            "code": "card_declined",
            "decline_code": "expired_card",
            "message": "Your card has expired.",
        }
    )
    assert stripe_objects.last_payment_error(pi) == ("expired_card", "Your card has expired.")


def test_it_refuses_a_forged_webhook(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    with pytest.raises(stripe_client.InvalidWebhook):
        stripe_client.construct_event(b'{"id": "evt_1"}', "t=1,v1=deadbeef")
    with pytest.raises(stripe_client.InvalidWebhook):
        stripe_client.construct_event(b"not json", "")
