"""A trainer sets up payouts: a connected Express account, Stripe's onboarding link, the
account's state kept on their profile, and a link into the Express Dashboard."""

import pytest

from core.tests.factories import TrainerProfileFactory
from payments.tests.connect_helpers import FakeConnect, account

pytestmark = pytest.mark.django_db

ONBOARDING = "/api/v1/trainers/me/payouts/onboarding/"
PAYOUTS = "/api/v1/trainers/me/payouts/"
DASHBOARD = "/api/v1/trainers/me/payouts/dashboard/"


@pytest.fixture
def stripe(stripe_requests):
    fake = FakeConnect()
    stripe_requests.answer(fake)
    stripe_requests.fake = fake
    return stripe_requests


def test_it_creates_an_express_account_and_answers_the_onboarding_url(as_user, stripe):
    trainer = TrainerProfileFactory()

    response = as_user(trainer.user).post(ONBOARDING)

    assert response.status_code == 200, response.content
    trainer.refresh_from_db()
    assert trainer.stripe_account_id.startswith("acct_test_")
    assert response.json() == {
        "url": f"https://connect.stripe.test/setup/{trainer.stripe_account_id}"
    }
    [create] = stripe.to("/v1/accounts")
    assert create.headers["Idempotency-Key"] == f"trainer:{trainer.pk}:account"
    assert create.params == {
        "controller[fees][payer]": "application",
        "controller[losses][payments]": "application",
        "controller[requirement_collection]": "stripe",
        "controller[stripe_dashboard][type]": "express",
        "capabilities[transfers][requested]": "true",
        "email": trainer.user.email,
        "metadata[trainer_id]": str(trainer.pk),
    }
    [link] = stripe.to("/v1/account_links")
    assert link.params["account"] == trainer.stripe_account_id
    assert link.params["type"] == "account_onboarding"
    assert link.params["return_url"] == "http://testserver/trainer/payouts/return/"
    assert link.params["refresh_url"] == "http://testserver/trainer/payouts/onboarding/"


def test_a_second_onboarding_reuses_the_account(as_user, stripe):
    trainer = TrainerProfileFactory()
    as_user(trainer.user).post(ONBOARDING)
    first = trainer.__class__.objects.get(pk=trainer.pk).stripe_account_id

    response = as_user(trainer.user).post(ONBOARDING)

    assert response.status_code == 200
    assert len(stripe.to("/v1/accounts")) == 1
    assert len(stripe.to("/v1/account_links")) == 2
    trainer.refresh_from_db()
    assert trainer.stripe_account_id == first


def test_stripe_refusing_answers_502_and_stores_no_account(as_user, stripe):
    trainer = TrainerProfileFactory()
    stripe.fake.refuse.add("/v1/accounts")

    response = as_user(trainer.user).post(ONBOARDING)

    assert response.status_code == 502
    assert "error" in response.json()
    trainer.refresh_from_db()
    assert trainer.stripe_account_id is None


def test_only_trainers_have_payouts(as_user, client_user, stripe):
    for url in (PAYOUTS,):
        assert as_user(client_user).get(url).status_code == 403
    assert as_user(client_user).post(ONBOARDING).status_code == 403
    assert stripe.requests == []


def test_it_needs_a_login(api):
    assert api.get(PAYOUTS).status_code == 401
    assert api.post(ONBOARDING).status_code == 401


def test_a_new_trainer_has_not_started(as_user):
    trainer = TrainerProfileFactory()

    body = as_user(trainer.user).get(PAYOUTS).json()

    assert body["account"]["status"] == "not_started"
    assert body["owed"] == [] and body["upcoming"] == [] and body["transfers"] == []


def test_returning_from_stripe_shows_what_stripe_still_needs(as_user, client, stripe):
    trainer = TrainerProfileFactory()
    as_user(trainer.user).post(ONBOARDING)
    trainer.refresh_from_db()
    client.force_login(trainer.user)

    page = client.get("/trainer/payouts/return/", follow=True)

    assert page.status_code == 200
    trainer.refresh_from_db()
    assert trainer.payout_requirements == ["external_account", "individual.dob.day"]
    assert not trainer.payouts_enabled
    assert "Your bank account" in page.content.decode()
    body = as_user(trainer.user).get(PAYOUTS).json()
    assert body["account"]["status"] == "pending"
    assert body["account"]["requirements"] == ["external_account", "individual.dob.day"]


def test_returning_once_stripe_enabled_payouts_shows_them_enabled(as_user, client, stripe):
    trainer = TrainerProfileFactory()
    as_user(trainer.user).post(ONBOARDING)
    trainer.refresh_from_db()
    stripe.fake.accounts[trainer.stripe_account_id] = account(
        trainer.stripe_account_id, payouts=True
    )
    client.force_login(trainer.user)

    client.get("/trainer/payouts/return/")

    trainer.refresh_from_db()
    assert (trainer.payouts_enabled, trainer.charges_enabled, trainer.payout_requirements) == (
        True,
        True,
        [],
    )
    assert as_user(trainer.user).get(PAYOUTS).json()["account"]["status"] == "enabled"


def test_an_expired_link_sends_the_trainer_to_a_fresh_one(client, stripe):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)

    response = client.get("/trainer/payouts/onboarding/")

    trainer.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"https://connect.stripe.test/setup/{trainer.stripe_account_id}"


def test_the_dashboard_link_opens_once_details_are_submitted(as_user, stripe):
    trainer = TrainerProfileFactory()

    early = as_user(trainer.user).post(DASHBOARD)
    assert early.status_code == 409
    assert "error" in early.json()

    trainer.stripe_account_id, trainer.details_submitted = "acct_done", True
    trainer.save()
    response = as_user(trainer.user).post(DASHBOARD)
    assert response.status_code == 200
    assert response.json() == {"url": "https://connect.stripe.test/express/acct_done"}
