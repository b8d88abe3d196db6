"""What the emulator changes in localstripe's PaymentIntents: `transfer_group` kept (localstripe
refuses the parameter), and 3-D Secure asked once for a card authenticated while it was set up,
as Stripe's test card 4000002500003155 does; 4000002760003184 still asks every time."""

import json
import urllib.request

import pytest

pytestmark = pytest.mark.stripe


def test_transfer_group_is_kept_on_the_intent_and_its_charge(sdk):
    created = sdk.v1.payment_intents.create(
        {
            "amount": 7500,
            "currency": "usd",
            "allowed_payment_method_types": ["card"],
            "transfer_group": "booking:9",
        }
    )
    sdk.v1.payment_intents.update(created.id, {"payment_method": "pm_card_visa"})
    confirmed = sdk.v1.payment_intents.confirm(created.id)

    assert created.transfer_group == "booking:9"
    assert confirmed.status == "succeeded" and confirmed.transfer_group == "booking:9"
    fetched = sdk.v1.payment_intents.retrieve(created.id, {"expand": ["latest_charge"]})
    assert fetched.transfer_group == fetched.latest_charge.transfer_group == "booking:9"
    listed = sdk.v1.payment_intents.list({"limit": 10}).data
    assert [i.transfer_group for i in listed] == ["booking:9"]


def test_an_intent_without_a_group_says_null(sdk):
    intent = sdk.v1.payment_intents.create(
        {"amount": 100, "currency": "usd", "allowed_payment_method_types": ["card"]}
    )
    assert intent.transfer_group is None


def _set_up_like_stripe_js(localstripe, sdk, number: str, *, authenticate: bool):
    """confirmCardSetup with the emulator's Stripe.js: the card's number, then (when the bank
    asks) the 3-D Secure box's answer. Returns (the SetupIntent's status, its card)."""
    setup = sdk.v1.setup_intents.create(
        {"allowed_payment_method_types": ["card"], "usage": "on_session"}
    )

    def post(path, body):
        request = urllib.request.Request(
            f"{localstripe.base}/v1/setup_intents/{setup.id}/{path}",
            data=json.dumps(
                {"key": "pk_test_x", "client_secret": setup.client_secret, **body}
            ).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    card = {"number": number, "exp_month": "12", "exp_year": "40", "cvc": "123"}
    method = {"type": "card", "card": card}
    first = post("confirm", {"use_stripe_sdk": True, "payment_method_data": method})
    assert first["status"] == "requires_action"
    done = post("confirm" if authenticate else "cancel", {"use_stripe_sdk": True})
    return done["status"], first["payment_method"]


def _pay(sdk, payment_method):
    return sdk.v1.payment_intents.create(
        {
            "amount": 7500,
            "currency": "usd",
            "payment_method": payment_method,
            "allowed_payment_method_types": ["card"],
            "confirm": True,
        }
    )


def test_a_card_authenticated_at_set_up_is_not_challenged_again(sdk, localstripe):
    status, card = _set_up_like_stripe_js(localstripe, sdk, "4000002500003155", authenticate=True)

    intent = _pay(sdk, card)

    assert status == "succeeded"
    assert intent.status == "succeeded" and intent.next_action is None


def test_a_card_that_always_asks_is_challenged_at_payment_too(sdk, localstripe):
    status, card = _set_up_like_stripe_js(localstripe, sdk, "4000002760003184", authenticate=True)

    assert status == "succeeded"
    assert _pay(sdk, card).status == "requires_action"


def test_a_card_whose_set_up_failed_authentication_is_challenged_at_payment(sdk, localstripe):
    status, card = _set_up_like_stripe_js(localstripe, sdk, "4000002500003155", authenticate=False)

    assert status == "canceled"
    assert _pay(sdk, card).status == "requires_action"


def test_the_one_time_card_without_set_up_is_challenged(sdk):
    method = sdk.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2040, "cvc": "123"},
        }
    )
    assert _pay(sdk, method.id).status == "requires_action"
