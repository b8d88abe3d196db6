"""Refunds as Stripe makes them: announced by charge.refunded and refund.created (to webhooks and
in the events list), never beyond what the charge has left, and idempotent."""

import pytest
import stripe

from stripe_emulator.tests.conftest import SECRET, signed_by

pytestmark = pytest.mark.stripe


def _paid(sdk, amount=7500):
    intent = sdk.v1.payment_intents.create(
        {
            "amount": amount,
            "currency": "usd",
            "allowed_payment_method_types": ["card"],
            "transfer_group": "booking_4",
        }
    )
    sdk.v1.payment_intents.update(intent.id, {"payment_method": "pm_card_visa"})
    return sdk.v1.payment_intents.confirm(intent.id)


def test_a_refund_is_announced_by_charge_refunded_and_refund_created(sdk, receiver):
    intent = _paid(sdk)
    refund = sdk.v1.refunds.create(
        {"payment_intent": intent.id, "amount": 500, "metadata": {"refund_id": "7"}}
    )

    assert (refund.amount, refund.status, refund.payment_intent) == (500, "succeeded", intent.id)
    assert refund.metadata["refund_id"] == "7"
    [(headers, charge_refunded)] = receiver.events("/platform", "charge.refunded")
    [(_, refund_created)] = receiver.events("/platform", "refund.created")
    assert signed_by(headers, SECRET)
    charge = charge_refunded["data"]["object"]
    assert (charge["payment_intent"], charge["amount_refunded"]) == (intent.id, 500)
    assert charge["transfer_group"] == "booking_4"
    assert refund_created["data"]["object"]["id"] == refund.id
    listed = {e.type: e for e in sdk.v1.events.list({"limit": 100}).data}
    assert listed["refund.created"].id == refund_created["id"]
    assert listed["charge.refunded"].id == charge_refunded["id"]


def test_no_refund_beyond_what_the_charge_has_left(sdk):
    intent = _paid(sdk)
    sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 7000})

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 501})
    assert too_much.value.code == "amount_too_large"
    rest = sdk.v1.refunds.create({"payment_intent": intent.id})  # no amount: what is left
    assert rest.amount == 500
    with pytest.raises(stripe.InvalidRequestError) as again:
        sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    refunds = sdk.v1.refunds.list({"payment_intent": intent.id}).data
    assert sorted(r.amount for r in refunds) == [500, 7000]


def test_an_intent_not_paid_cannot_be_refunded(sdk):
    intent = sdk.v1.payment_intents.create(
        {"amount": 7500, "currency": "usd", "allowed_payment_method_types": ["card"]}
    )
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 100})
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        sdk.v1.refunds.create({"payment_intent": "pi_nothing", "amount": 100})
    assert unknown.value.code == "resource_missing"


def test_the_same_idempotency_key_makes_one_refund(sdk):
    intent = _paid(sdk)
    params = {"payment_intent": intent.id, "amount": 2500}
    first = sdk.v1.refunds.create(params, {"idempotency_key": "refund:1"})
    second = sdk.v1.refunds.create(params, {"idempotency_key": "refund:1"})

    assert first.id == second.id
    assert [r.amount for r in sdk.v1.refunds.list({"payment_intent": intent.id}).data] == [2500]
    with pytest.raises(stripe.IdempotencyError):
        sdk.v1.refunds.create({**params, "amount": 100}, {"idempotency_key": "refund:1"})


def test_events_page_as_one_list_with_localstripes(sdk):
    intent = _paid(sdk, amount=10000)
    for _ in range(4):
        sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 100})
    every = [e.id for e in sdk.v1.events.list({"limit": 100}).data]
    paged = [e.id for e in sdk.v1.events.list({"limit": 3}).auto_paging_iter()]

    assert len(every) == len(set(every)) >= 8 + 1
    assert sorted(paged) == sorted(every)
