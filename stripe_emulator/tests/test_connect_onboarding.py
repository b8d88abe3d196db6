"""Connected accounts at the emulator: created Express through `controller`, onboarded through
an Account Link's page, which sends a signed account.updated to the Connect endpoint only."""

import json
import urllib.error
import urllib.request

import pytest
import stripe

from stripe_emulator.tests.conftest import (
    CONNECT_SECRET,
    browse,
    express_account,
    onboard,
    signed_by,
)

pytestmark = pytest.mark.stripe


def test_an_express_account_starts_with_requirements_and_nothing_enabled(sdk):
    account = express_account(sdk, metadata={"trainer_id": "7"})

    again = sdk.v1.accounts.retrieve(account.id)
    assert again.id.startswith("acct_")
    assert again.type == "express"
    assert again.controller.stripe_dashboard.type == "express"
    assert (again.charges_enabled, again.payouts_enabled, again.details_submitted) == (
        False,
        False,
        False,
    )
    assert "external_account" in again.requirements.currently_due
    assert again.capabilities.transfers == "inactive"
    assert again.metadata.to_dict() == {"trainer_id": "7"}


def test_completing_onboarding_enables_the_account_and_tells_the_connect_endpoint(sdk, receiver):
    account = express_account(sdk)

    assert onboard(sdk, account.id) == "http://app.test/return"

    after = sdk.v1.accounts.retrieve(account.id)
    assert after.charges_enabled and after.payouts_enabled and after.details_submitted
    assert after.requirements.currently_due == []
    assert after.capabilities.transfers == "active"
    [(headers, event)] = receiver.events("/connect", "account.updated")
    assert signed_by(headers, CONNECT_SECRET)
    assert event["account"] == account.id
    assert event["data"]["object"]["payouts_enabled"] is True
    assert event["data"]["previous_attributes"]["payouts_enabled"] is False
    assert event["api_version"] == "2026-10-28.endive"
    assert receiver.events("/platform", "account.updated", wait=0.5) == []


def test_leaving_onboarding_incomplete_says_what_is_still_needed(sdk, receiver):
    account = express_account(sdk)

    assert onboard(sdk, account.id, outcome="incomplete") == "http://app.test/return"

    after = sdk.v1.accounts.retrieve(account.id)
    assert after.details_submitted and not after.payouts_enabled and not after.charges_enabled
    assert after.requirements.currently_due == ["external_account"]
    [(_, event)] = receiver.events("/connect", "account.updated")
    assert event["data"]["object"]["requirements"]["currently_due"] == ["external_account"]


def test_an_account_link_is_single_use_then_sends_to_refresh_url(sdk):
    account = express_account(sdk)
    link = sdk.v1.account_links.create(
        {
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "http://app.test/refresh",
            "return_url": "http://app.test/return",
        }
    )
    assert link.object == "account_link" and link.expires_at > link.created

    assert browse(link.url)[0] == 200
    assert browse(link.url)[:2] == (303, "http://app.test/refresh")
    assert not sdk.v1.accounts.retrieve(account.id).details_submitted


def test_an_account_link_needs_an_existing_account_and_a_return_url(sdk):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.v1.account_links.create(
            {"account": "acct_nobody", "type": "account_onboarding", "return_url": "http://a"}
        )
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    account = express_account(sdk)
    with pytest.raises(stripe.InvalidRequestError) as no_return:
        sdk.v1.account_links.create({"account": account.id, "type": "account_onboarding"})
    assert no_return.value.param == "return_url"


def test_a_login_link_opens_the_express_dashboard_once_onboarded(sdk):
    account = express_account(sdk)
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.accounts.login_links.create(account.id)
    onboard(sdk, account.id)

    link = sdk.v1.accounts.login_links.create(account.id)

    status, _, page = browse(link.url)
    assert link.object == "login_link" and status == 200
    assert "trainer@example.com" in page


def test_a_standard_account_has_no_login_link(sdk):
    account = sdk.v1.accounts.create({"type": "standard", "email": "s@example.com"})
    onboard(sdk, account.id)
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.accounts.login_links.create(account.id)


def test_unknown_account_parameters_are_refused_like_stripe(localstripe):
    # Straight over HTTP: the SDK's calls in the tests keep to Stripe's typed parameters.
    request = urllib.request.Request(
        f"{localstripe.base}/v1/accounts",
        data=b"type=express&emial=x%40example.com",
        headers={"Authorization": "Bearer sk_test_x"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    error = json.loads(refused.value.read())["error"]
    assert refused.value.code == 400
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        "emial",
        "parameter_unknown",
    )


def test_the_stripe_account_header_must_name_an_existing_account(sdk):
    with pytest.raises(stripe.PermissionError) as refused:
        sdk.v1.balance.retrieve(options={"stripe_account": "acct_nobody"})
    assert refused.value.error.code == "account_invalid"


def test_reset_forgets_accounts(sdk, localstripe):
    account = express_account(sdk)
    localstripe.reset()
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.accounts.retrieve(account.id)


def test_updating_an_account_tells_the_connect_endpoint_what_changed(sdk, receiver):
    account = express_account(sdk)

    sdk.v1.accounts.update(account.id, {"metadata": {"trainer_id": "8"}})

    assert sdk.v1.accounts.retrieve(account.id).metadata.to_dict() == {"trainer_id": "8"}
    [(_, event)] = receiver.events("/connect", "account.updated")
    assert event["data"]["previous_attributes"] == {"metadata": {}}
    assert event["data"]["object"]["metadata"] == {"trainer_id": "8"}
