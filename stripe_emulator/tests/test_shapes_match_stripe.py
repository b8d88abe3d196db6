"""The emulator's own objects carry the fields of Stripe's, with the same types.

stripe_fixtures.json holds Stripe's published example of each object (from Stripe's openapi
repository, fixtures3.json; MIT licence in LICENSE-stripe-openapi beside it). Every field of
Stripe's object must be in ours with the same JSON type (null in either is fine: Stripe's
nullable fields), the nested objects too, and ours has no top-level field Stripe's lacks.
"""

import json
from pathlib import Path

import pytest

from stripe_emulator.tests.conftest import express_account, onboard

pytestmark = pytest.mark.stripe

FIXTURES = json.loads((Path(__file__).parent / "stripe_fixtures.json").read_text())
# Fields Stripe's example leaves out but its API reference defines for these objects.
DOCUMENTED_EXTRAS = {"event": {"account"}}
# Maps whose keys are data (the capabilities an account asked for, metadata), not fields.
MAPS = {"capabilities.", "metadata.", "data.object."}


def _differences(stripe_obj, ours, path="") -> list[str]:
    found = []
    if stripe_obj is None or ours is None:
        return found
    if type(stripe_obj) is not type(ours):
        return [
            f"{path or '.'}: Stripe's is {type(stripe_obj).__name__}, ours {type(ours).__name__}"
        ]
    if isinstance(stripe_obj, dict) and path not in MAPS:
        for key, value in stripe_obj.items():
            if key not in ours:
                found.append(f"{path}{key}: missing")
            else:
                found += _differences(value, ours[key], f"{path}{key}.")
    elif isinstance(stripe_obj, list) and stripe_obj and ours:
        found += _differences(stripe_obj[0], ours[0], f"{path}[0].")
    return found


def _same_shape(name: str, ours: dict) -> None:
    stripe_obj = FIXTURES[name]
    problems = _differences(stripe_obj, ours)
    extras = set(ours) - set(stripe_obj) - DOCUMENTED_EXTRAS.get(name, set())
    problems += [f"{key}: not in Stripe's {name}" for key in sorted(extras)]
    assert not problems, f"{name} differs from Stripe's:\n" + "\n".join(problems)


def test_the_connect_objects_have_stripes_fields_and_types(sdk, localstripe, receiver):
    account = express_account(sdk)
    _same_shape("account", account.to_dict())
    link = sdk.v1.account_links.create(
        {"account": account.id, "type": "account_onboarding", "return_url": "http://a.test/"}
    )
    _same_shape("account_link", link.to_dict())
    onboard(sdk, account.id)
    _same_shape("account", sdk.v1.accounts.retrieve(account.id).to_dict())
    _same_shape("login_link", sdk.v1.accounts.login_links.create(account.id).to_dict())
    intent = sdk.v1.payment_intents.create(
        {
            "amount": 7500,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "allowed_payment_method_types": ["card"],
            "confirm": True,
        }
    )
    transfer = sdk.v1.transfers.create(
        {
            "amount": 6375,
            "currency": "usd",
            "destination": account.id,
            "source_transaction": intent.latest_charge.id,
        }
    )
    _same_shape("transfer", transfer.to_dict())
    reversal = sdk.v1.transfers.reversals.create(transfer.id, {"amount": 100})
    _same_shape("transfer_reversal", reversal.to_dict())
    _same_shape("transfer", sdk.v1.transfers.retrieve(transfer.id).to_dict())
    balance = sdk.v1.balance.retrieve(options={"stripe_account": account.id})
    _same_shape("balance", balance.to_dict())
    [payout] = sdk.v1.payouts.list(options={"stripe_account": account.id}).data
    _same_shape("payout", payout.to_dict())
    [(_, event)] = receiver.events("/connect", "payout.paid")
    _same_shape("event", event)
