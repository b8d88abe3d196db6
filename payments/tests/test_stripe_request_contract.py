"""The request contract (payments/tests/stripe_contract.py) refuses what Stripe's typed
parameters do not define, for every StripeClient the tests build, our own stripe_client's
included; and what our code sends passes it."""

import pytest
import stripe

from payments import stripe_client
from payments.tests import stripe_contract

pytestmark = pytest.mark.stripe


@pytest.fixture
def violations():
    """The violations a test provokes on purpose, taken away so the test is not failed for them."""
    yield stripe_contract.VIOLATIONS
    stripe_contract.VIOLATIONS.clear()


def test_a_misspelled_key_fails_at_our_client(localstripe, violations):
    with pytest.raises(stripe_contract.ContractViolation, match="transfer_grup"):
        stripe_client.get_client().v1.transfers.create(
            {"amount": 100, "currency": "usd", "destination": "acct_1", "transfer_grup": "b:1"}  # type: ignore[typeddict-unknown-key]
        )
    assert violations == ["POST /v1/transfers: transfer_grup: not a parameter Stripe defines here"]


def test_it_checks_nested_keys_lists_types_and_required_keys():
    problems = stripe_contract.check_request(
        "post",
        "https://api.stripe.com/v1/accounts",
        "controller[stripe_dashbord][type]=express&capabilities[transfers][requested]=yes"
        "&metadata[trainer_id]=7&expand[0]=external_accounts",
    )
    assert sorted(problems) == [
        "POST /v1/accounts: capabilities.transfers.requested: expected a boolean, got 'yes'",
        "POST /v1/accounts: controller.stripe_dashbord: not a parameter Stripe defines here",
    ]
    assert stripe_contract.check_request(
        "post", "https://api.stripe.com/v1/transfers", "amount=12.5&destination=acct_1"
    ) == [
        "POST /v1/transfers: amount: expected an integer, got '12.5'",
        "POST /v1/transfers: currency: required and missing",
    ]


def test_it_reads_query_strings_of_reads_and_knows_literal_paths():
    assert (
        stripe_contract.check_request(
            "get", "https://api.stripe.com/v1/payment_intents/pi_1?expand[0]=latest_charge", None
        )
        == []
    )
    assert stripe_contract.check_request(
        "get", "https://api.stripe.com/v1/payment_intents/search?query=x&limt=3", None
    ) == ["GET /v1/payment_intents/search: limt: not a parameter Stripe defines here"]
    assert stripe_contract.check_request("post", "https://api.stripe.com/v1/nothing", "") == [
        "POST /v1/nothing: not an endpoint of the stripe SDK"
    ]


def test_the_old_card_only_parameter_is_refused_by_the_pinned_version():
    """Why our code sends allowed_payment_method_types, also to the emulator."""
    problems = stripe_contract.check_request(
        "post",
        "https://api.stripe.com/v1/payment_intents",
        "amount=100&currency=usd&payment_method_types[0]=card",
    )
    assert problems == [
        "POST /v1/payment_intents: payment_method_types: not a parameter Stripe defines here"
    ]


def test_every_stripe_client_the_tests_build_is_checked(localstripe, violations):
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe.base})
    with pytest.raises(stripe_contract.ContractViolation):
        client.v1.customers.create({"emial": "x@example.com"})  # type: ignore[typeddict-unknown-key]
    assert len(violations) == 1
