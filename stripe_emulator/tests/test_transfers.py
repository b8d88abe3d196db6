"""Transfers to connected accounts at the emulator: Stripe's checks, idempotency keys, reversals
capped at what remains, per-account balances, payouts, and the events each sends."""

import pytest
import stripe

from stripe_emulator.tests.conftest import (
    CONNECT_SECRET,
    SECRET,
    express_account,
    onboard,
    signed_by,
)

pytestmark = pytest.mark.stripe


@pytest.fixture
def trainer_account(sdk):
    """An onboarded Express account that is paid out only on request."""
    account = express_account(sdk, settings={"payouts": {"schedule": {"interval": "manual"}}})
    onboard(sdk, account.id)
    return account.id


@pytest.fixture
def charge(sdk):
    """A succeeded 75.00 usd charge at the platform, with its transfer group."""
    intent = sdk.v1.payment_intents.create(
        {
            "amount": 7500,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "allowed_payment_method_types": ["card"],
            "confirm": True,
            "transfer_group": "booking:1",
        }
    )
    assert intent.status == "succeeded"
    return (
        intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    )


def _transfer(sdk, destination, source=None, amount=6375, key=None, **extra):
    params = {
        "amount": amount,
        "currency": "usd",
        "destination": destination,
        "transfer_group": "booking:1",
        "metadata": {"booking_id": "1"},
        **extra,
    }
    if source:
        params["source_transaction"] = source
    return sdk.v1.transfers.create(params, {"idempotency_key": key} if key else None)


def _available(sdk, account_id):
    balance = sdk.v1.balance.retrieve(options={"stripe_account": account_id})
    return {b.currency: b.amount for b in balance.available}


def test_a_transfer_moves_the_share_to_the_account_and_tells_the_platform(
    sdk, trainer_account, charge, receiver
):
    transfer = _transfer(sdk, trainer_account, charge)

    assert (transfer.amount, transfer.currency, transfer.destination) == (
        6375,
        "usd",
        trainer_account,
    )
    assert transfer.source_transaction == charge and transfer.transfer_group == "booking:1"
    assert sdk.v1.transfers.retrieve(transfer.id).metadata.to_dict() == {"booking_id": "1"}
    assert _available(sdk, trainer_account) == {"usd": 6375}
    [(headers, event)] = receiver.events("/platform", "transfer.created")
    assert signed_by(headers, SECRET) and "account" not in event
    assert event["data"]["object"]["id"] == transfer.id
    listed = sdk.v1.transfers.list({"transfer_group": "booking:1"})
    assert [t.id for t in listed.data] == [transfer.id]


def test_the_same_idempotency_key_returns_the_same_transfer(sdk, trainer_account, charge):
    first = _transfer(sdk, trainer_account, charge, key="transfer:1")
    again = _transfer(sdk, trainer_account, charge, key="transfer:1")

    assert again.id == first.id
    assert len(sdk.v1.transfers.list().data) == 1
    assert _available(sdk, trainer_account) == {"usd": 6375}


def test_the_same_idempotency_key_with_other_parameters_is_refused(sdk, trainer_account, charge):
    _transfer(sdk, trainer_account, charge, key="transfer:1")
    with pytest.raises(stripe.IdempotencyError):
        _transfer(sdk, trainer_account, charge, amount=100, key="transfer:1")
    assert len(sdk.v1.transfers.list().data) == 1


def test_a_transfer_needs_an_onboarded_destination(sdk):
    pending = express_account(sdk)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        _transfer(sdk, pending.id)
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        _transfer(sdk, "acct_nobody")
    assert unknown.value.param == "destination"


def test_a_transfer_cannot_take_more_than_its_source_charge(sdk, trainer_account, charge):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        _transfer(sdk, trainer_account, charge, amount=7501)
    assert refused.value.param == "amount"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        _transfer(sdk, trainer_account, "ch_nothing")
    assert missing.value.param == "source_transaction"


def test_reversals_are_capped_at_what_remains(sdk, trainer_account, charge, receiver):
    transfer = _transfer(sdk, trainer_account, charge)

    part = sdk.v1.transfers.reversals.create(transfer.id, {"amount": 2000})
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        sdk.v1.transfers.reversals.create(transfer.id, {"amount": 4376})
    rest = sdk.v1.transfers.reversals.create(transfer.id)

    assert too_much.value.param == "amount"
    assert (part.amount, rest.amount, rest.transfer) == (2000, 4375, transfer.id)
    after = sdk.v1.transfers.retrieve(transfer.id)
    assert (after.amount_reversed, after.reversed) == (6375, True)
    assert [r.id for r in after.reversals.data] == [rest.id, part.id]
    assert _available(sdk, trainer_account) == {"usd": 0}
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.transfers.reversals.create(transfer.id, {"amount": 1})
    assert len(receiver.events("/platform", "transfer.reversed", count=2)) == 2


def test_an_account_on_a_schedule_is_paid_out_after_each_transfer(sdk, charge, receiver):
    account = express_account(sdk)  # Stripe's default schedule: daily
    onboard(sdk, account.id)

    _transfer(sdk, account.id, charge)

    [(headers, event)] = receiver.events("/connect", "payout.paid")
    assert signed_by(headers, CONNECT_SECRET) and event["account"] == account.id
    assert (event["data"]["object"]["amount"], event["data"]["object"]["status"]) == (6375, "paid")
    assert _available(sdk, account.id) == {"usd": 0}
    payouts = sdk.v1.payouts.list(options={"stripe_account": account.id})
    assert [p.amount for p in payouts.data] == [6375]


def test_a_payout_on_request_takes_from_the_balance(sdk, trainer_account, charge, receiver):
    _transfer(sdk, trainer_account, charge)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        sdk.v1.payouts.create(
            {"amount": 6376, "currency": "usd"}, {"stripe_account": trainer_account}
        )
    payout = sdk.v1.payouts.create(
        {"amount": 5000, "currency": "usd"}, {"stripe_account": trainer_account}
    )

    assert too_much.value.code == "balance_insufficient"
    assert (payout.status, payout.automatic) == ("paid", False)
    assert _available(sdk, trainer_account) == {"usd": 1375}
    assert receiver.events("/connect", "payout.paid")[0][1]["data"]["object"]["id"] == payout.id


def test_a_failing_bank_account_sends_payout_failed(
    sdk, trainer_account, charge, localstripe, receiver
):
    _transfer(sdk, trainer_account, charge)
    localstripe.http("POST", f"/_config/payouts/{trainer_account}", {"failure_code": "no_account"})

    payout = sdk.v1.payouts.create(
        {"amount": 5000, "currency": "usd"}, {"stripe_account": trainer_account}
    )

    assert (payout.status, payout.failure_code) == ("failed", "no_account")
    assert _available(sdk, trainer_account) == {"usd": 6375}
    [(_, event)] = receiver.events("/connect", "payout.failed")
    assert event["account"] == trainer_account


def test_connected_accounts_events_are_listed_with_the_stripe_account_header(sdk, trainer_account):
    events = sdk.v1.events.list({"type": "account.updated"}, {"stripe_account": trainer_account})
    assert [e.account for e in events.data] == [trainer_account]
    assert sdk.v1.events.retrieve(events.data[0].id).type == "account.updated"


def test_platform_events_are_listed_with_localstripes(sdk, trainer_account, charge):
    transfer = _transfer(sdk, trainer_account, charge)

    types = [e.type for e in sdk.v1.events.list({"limit": 100}).data]

    assert "transfer.created" in types and "payment_intent.succeeded" in types
    assert "account.updated" not in types
    transfers = sdk.v1.events.list({"type": "transfer.created"}).data
    assert [e.data.object.id for e in transfers] == [transfer.id]
