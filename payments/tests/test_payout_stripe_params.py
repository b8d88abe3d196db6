"""The parameter contract of our Connect calls: every key we send to Stripe (as real Stripe gets
it, STRIPE_API_BASE unset) is one the SDK's typed parameters for the pinned API version define;
a misspelled or unknown key fails here before Stripe would refuse it."""

import re
import sys

import pytest
import stripe

from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments import stripe_client
from payments.models import Payment, Transfer, TransferReversal
from payments.tests.connect_helpers import FakeConnect, onboard
from stripe_emulator.params import nested

pytestmark = pytest.mark.django_db


def unknown_keys(params: dict, typed, prefix: str = "") -> list[str]:
    """Keys of `params` (nested) that the TypedDict `typed` does not define."""
    fields = typed.__annotations__
    unknown = []
    for key, value in params.items():
        if key not in fields:
            unknown.append(prefix + key)
            continue
        inner = _typed_dict(typed, fields[key])
        if isinstance(value, dict) and inner is not None:
            unknown += unknown_keys(value, inner, f"{prefix}{key}.")
    return unknown


def _typed_dict(typed, annotation):
    """The TypedDict an annotation names ("NotRequired[\"AccountCreateParamsController\"]"),
    looked up in the module of `typed` (the SDK writes them as forward references)."""
    text = getattr(annotation, "__forward_arg__", None) or str(annotation)
    module = sys.modules[typed.__module__]
    for name in re.findall(r"[A-Z][A-Za-z0-9]*Params[A-Za-z0-9]*", text):
        found = getattr(module, name, None)
        if isinstance(found, type) and hasattr(found, "__total__"):  # a TypedDict
            return found
    return None


def test_the_checker_refuses_a_misspelled_key():
    sent = {"amount": 1, "currency": "usd", "destinaton": "acct_1"}
    assert unknown_keys(sent, stripe.params.TransferCreateParams) == ["destinaton"]
    nested_bad = {"controller": {"stripe_dashboard": {"kind": "express"}}}
    assert unknown_keys(nested_bad, stripe.params.AccountCreateParams) == [
        "controller.stripe_dashboard.kind"
    ]


@pytest.fixture
def sent(settings, stripe_requests):
    """Real Stripe's request shapes (no emulator base), answered by the fake."""
    settings.STRIPE_API_BASE = ""
    stripe_requests.answer(FakeConnect())

    def params(path: str) -> dict:
        [request] = [r for r in stripe_requests.requests if r.path == path]
        return nested(request.params.items())

    return params


def test_connect_calls_send_only_parameters_stripe_defines(sent):
    trainer = TrainerProfileFactory()
    account = stripe_client.create_account(trainer=trainer)
    stripe_client.create_account_link(
        account_id=account.id, refresh_url="https://x.test/r", return_url="https://x.test/b"
    )
    onboard(trainer, account.id)
    booking = BookingFactory(trainer=trainer, status="completed")
    payment = Payment.objects.create(
        booking=booking, amount=7500, currency="usd", status="succeeded",
        stripe_payment_intent_id="pi_contract", stripe_charge_id="ch_contract",
    )  # fmt: skip
    transfer = Transfer.objects.create(
        booking=booking, payment=payment, trainer=trainer, amount=6375, currency="usd",
        destination=account.id, source_transaction="ch_contract",
    )  # fmt: skip
    made = stripe_client.create_transfer(transfer=transfer)
    Transfer.objects.filter(pk=transfer.pk).update(stripe_transfer_id=made.id, status="sent")
    transfer.refresh_from_db()
    reversal = TransferReversal.objects.create(
        transfer=transfer, amount=2125, currency="usd", reason="refund"
    )
    stripe_client.create_transfer_reversal(reversal=reversal)

    P = stripe.params
    assert unknown_keys(sent("/v1/accounts"), P.AccountCreateParams) == []
    assert unknown_keys(sent("/v1/account_links"), P.AccountLinkCreateParams) == []
    assert unknown_keys(sent("/v1/transfers"), P.TransferCreateParams) == []
    reversal_params = sent(f"/v1/transfers/{made.id}/reversals")
    assert unknown_keys(reversal_params, P.TransferReversalCreateParams) == []
    assert sent("/v1/transfers")["source_transaction"] == "ch_contract"


def test_payment_intents_carry_a_transfer_group_stripe_defines(sent, stripe_requests):
    booking = BookingFactory()
    payment = Payment.objects.create(booking=booking, amount=7500, currency="usd")
    stripe_requests.answer(
        lambda c: (
            200,
            {"id": "pi_1", "object": "payment_intent", "status": "requires_payment_method"},
        )
    )

    stripe_client.create_payment_intent(payment=payment)

    params = sent("/v1/payment_intents")
    assert params["transfer_group"] == f"booking_{booking.pk}"
    assert unknown_keys(params, stripe.params.PaymentIntentCreateParams) == []
