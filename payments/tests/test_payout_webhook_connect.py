"""/api/v1/payments/webhook/connect/: connected accounts' events, with the endpoint's own
secret, through the same intake as the platform's (stored once, applied once, order-proof)."""

import json

import pytest

from core.tests.factories import TrainerProfileFactory
from payments.models import PaymentAlert, WebhookEvent
from payments.tests import stripe_events as se
from payments.tests.connect_helpers import account, connect_event, post_connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return TrainerProfileFactory(stripe_account_id="acct_trainer")


def updated(acct, **kw):
    return connect_event("account.updated", acct, account_id=acct["id"], **kw)


def test_account_updated_keeps_the_accounts_state_on_the_profile(api, fake, trainer):
    fake.accounts["acct_trainer"] = account("acct_trainer", requirements=["external_account"])

    response = post_connect(api, updated(fake.accounts["acct_trainer"]))

    assert response.status_code == 200, response.content
    trainer.refresh_from_db()
    assert (trainer.payouts_enabled, trainer.charges_enabled) == (False, False)
    assert trainer.payout_requirements == ["external_account"]
    assert trainer.payout_disabled_reason == "requirements.past_due"

    fake.accounts["acct_trainer"] = account("acct_trainer", payouts=True)
    post_connect(api, updated(fake.accounts["acct_trainer"]))

    trainer.refresh_from_db()
    assert (trainer.payouts_enabled, trainer.charges_enabled, trainer.details_submitted) == (
        True,
        True,
        True,
    )
    assert trainer.payout_requirements == []


def test_a_late_stale_event_does_not_undo_the_accounts_newer_state(api, fake, trainer):
    """The older account.updated (payouts disabled) arrives after the newer one: the account as
    Stripe knows it now is what is kept, whatever the late copy says."""
    stale = updated(account("acct_trainer"), created=1_000)
    fake.accounts["acct_trainer"] = account("acct_trainer", payouts=True)
    post_connect(api, updated(fake.accounts["acct_trainer"], created=2_000))

    response = post_connect(api, stale)

    assert response.status_code == 200
    trainer.refresh_from_db()
    assert trainer.payouts_enabled is True


def test_a_duplicate_is_stored_and_applied_once(api, fake, trainer, stripe_requests):
    fake.accounts["acct_trainer"] = account("acct_trainer", payouts=True)
    evt = updated(fake.accounts["acct_trainer"])

    first, second = post_connect(api, evt), post_connect(api, evt)

    assert first.json() == {"received": True, "duplicate": False}
    assert second.json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.filter(stripe_event_id=evt["id"]).count() == 1
    # The copy asked Stripe nothing: one fetch of the account, for the first delivery.
    assert len(stripe_requests.to("/v1/accounts/acct_trainer")) == 1


def test_it_refuses_the_platform_endpoints_secret(api, fake, trainer, settings):
    fake.accounts["acct_trainer"] = account("acct_trainer", payouts=True)
    evt = updated(fake.accounts["acct_trainer"])

    response = post_connect(api, evt, secret=settings.STRIPE_WEBHOOK_SECRET)

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid Stripe signature."}
    assert not WebhookEvent.objects.exists()
    trainer.refresh_from_db()
    assert trainer.payouts_enabled is False


def test_the_platform_endpoint_refuses_the_connect_secret(api, settings, trainer):
    evt = updated(account("acct_trainer", payouts=True))
    body = json.dumps(evt).encode()

    response = se.post(
        api, evt, signature=se.sign(body, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET)
    )

    assert response.status_code == 400


def test_an_account_of_nobody_is_acknowledged(api, fake):
    fake.accounts["acct_other"] = account("acct_other", payouts=True)

    response = post_connect(api, updated(fake.accounts["acct_other"]))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().error == ""


def test_stripe_unreachable_for_the_fetch_answers_500_for_a_retry(api, stripe_requests, trainer):
    stripe_requests.answer(lambda captured: (500, {"error": {"type": "api_error"}}))

    response = post_connect(api, updated(account("acct_trainer", payouts=True)))

    assert response.status_code == 500
    assert "error" in response.json()
    trainer.refresh_from_db()
    assert trainer.payouts_enabled is False
    assert WebhookEvent.objects.get().error


def test_a_failed_payout_alerts_a_person(api, trainer):
    payout = {"id": "po_1", "object": "payout", "amount": 6375, "currency": "usd",
              "status": "failed", "failure_code": "account_closed"}  # fmt: skip

    response = post_connect(api, connect_event("payout.failed", payout, account_id="acct_trainer"))

    assert response.status_code == 200
    alert = PaymentAlert.objects.get()
    assert alert.kind == PaymentAlert.Kind.PAYOUT_FAILED
    assert "account_closed" in alert.message and trainer.user.email in alert.message


def test_a_paid_payout_is_acknowledged(api, trainer):
    payout = {"id": "po_2", "object": "payout", "amount": 6375, "currency": "usd", "status": "paid"}

    response = post_connect(api, connect_event("payout.paid", payout, account_id="acct_trainer"))

    assert response.status_code == 200
    assert not PaymentAlert.objects.exists()
    assert WebhookEvent.objects.get().processed_at is not None
