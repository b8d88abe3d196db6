"""Connect end to end against the Stripe emulator (manage.py stripe_emulator), its own signed
events delivered to a live server: onboarding, the transfer of a completed session, no transfer
after a refund in full, reversals after a refund and a lost chargeback after the transfer, and
duplicate and reordered Connect events. Nothing of ours is mocked."""

import datetime as dt
import io
import time
import urllib.parse
import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory
from payments.models import Transfer, TransferReversal, WebhookEvent
from payments.tests import stripe_events as se
from payments.tests.connect_helpers import post_connect
from trainers.models import TrainerProfile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.stripe]

ONBOARDING = "/api/v1/trainers/me/payouts/onboarding/"


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def onboarding_form(url: str, outcome: str) -> str:
    """What the trainer does on Stripe's onboarding page: open it, press a button. Returns where
    Stripe sends them back."""
    with urllib.request.urlopen(url, timeout=10) as page:
        assert "Set up payouts" in page.read().decode()
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode({"outcome": outcome}).encode()
    try:
        opener.open(urllib.request.Request(url, data=body, method="POST"), timeout=10)
    except urllib.error.HTTPError as e:
        assert e.code == 303
        return e.headers["Location"]
    raise AssertionError("the onboarding form did not send the trainer back")


@pytest.fixture
def stripe(localstripe, live_server, settings):
    settings.REQUIRE_PAYOUT_ACCOUNT = True
    localstripe.register_webhook(live_server.url + "/api/v1/payments/webhook/", hook_id="p")
    localstripe.register_webhook(
        live_server.url + "/api/v1/payments/webhook/connect/",
        secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        hook_id="c",
        connect=True,
    )
    return localstripe


def onboarded_trainer(as_user, outcome="complete"):
    trainer = TrainerProfileFactory()
    response = as_user(trainer.user).post(ONBOARDING)
    assert response.status_code == 200, response.content
    back = onboarding_form(response.json()["url"], outcome)
    assert back.endswith("/trainer/payouts/return/")
    if outcome == "complete":
        assert wait_for(lambda: type(trainer).objects.get(pk=trainer.pk).payouts_enabled)
    trainer.refresh_from_db()
    return trainer


def test_onboarding_left_incomplete_then_completed(stripe, as_user):
    trainer = onboarded_trainer(as_user, outcome="incomplete")
    assert wait_for(
        lambda: type(trainer).objects.get(pk=trainer.pk).payout_requirements == ["external_account"]
    )
    trainer.refresh_from_db()
    assert (trainer.details_submitted, trainer.payouts_enabled) == (True, False)
    body = as_user(trainer.user).get("/api/v1/trainers/me/payouts/").json()
    assert body["account"]["status"] == "pending"
    assert body["account"]["requirements"] == ["external_account"]

    again = as_user(trainer.user).post(ONBOARDING).json()["url"]
    onboarding_form(again, "complete")

    assert wait_for(lambda: type(trainer).objects.get(pk=trainer.pk).payouts_enabled)
    trainer.refresh_from_db()
    assert trainer.payout_requirements == [] and trainer.charges_enabled
    dashboard = as_user(trainer.user).post("/api/v1/trainers/me/payouts/dashboard/")
    assert dashboard.status_code == 200
    assert "/_emulator/express/" in dashboard.json()["url"]


def past_session(trainer, paid_booking):
    start = timezone.now() - dt.timedelta(days=3)
    booking, payment = paid_booking(trainer=trainer)
    # Moved into the past only now: the booking API refuses past times.
    type(booking).objects.filter(pk=booking.pk).update(
        start_time=start, end_time=start + dt.timedelta(hours=1)
    )
    return booking, payment


def complete_sessions():
    call_command("complete_sessions", now=timezone.now().isoformat())


def stripe_transfer(stripe, transfer):
    return stripe.sdk.v1.transfers.retrieve(transfer.stripe_transfer_id)


def test_a_completed_session_transfers_63_75_of_75_00(stripe, as_user, paid_booking, client):
    trainer = onboarded_trainer(as_user)
    booking, payment = past_session(trainer, paid_booking)
    intent = stripe.sdk.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.transfer_group == f"booking_{booking.pk}"

    complete_sessions()

    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.status) == (6375, "sent")
    at_stripe = stripe_transfer(stripe, transfer)
    assert (at_stripe.amount, at_stripe.currency) == (6375, "usd")
    assert at_stripe.destination == trainer.stripe_account_id
    assert at_stripe.source_transaction == payment.stripe_charge_id
    assert at_stripe.transfer_group == f"booking_{booking.pk}"
    body = as_user(trainer.user).get("/api/v1/trainers/me/payouts/").json()
    assert [t["amount"] for t in body["transfers"]] == ["63.75"]
    client.force_login(trainer.user)
    page = client.get("/trainer/payouts/").content.decode()
    assert "63.75 USD" in page and transfer.stripe_transfer_id in page


def test_no_transfer_after_a_refund_in_full(stripe, as_user, paid_booking, admin_user):
    trainer = onboarded_trainer(as_user)
    _booking, payment = past_session(trainer, paid_booking)
    refund = as_user(admin_user).post(
        f"/api/v1/payments/{payment.pk}/refund/", {"reason": "no show"}, format="json"
    )
    assert refund.status_code in (200, 201), refund.content

    complete_sessions()

    assert not Transfer.objects.exists()
    assert list(stripe.sdk.v1.transfers.list().data) == []


def test_a_refund_after_the_transfer_is_reversed_from_the_trainer(
    stripe, as_user, paid_booking, admin_user
):
    trainer = onboarded_trainer(as_user)
    _booking, payment = past_session(trainer, paid_booking)
    complete_sessions()
    transfer = Transfer.objects.get()

    refund = as_user(admin_user).post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "25.00", "reason": "late start"},
        format="json",
    )
    assert refund.status_code in (200, 201), refund.content

    reversal = TransferReversal.objects.get()
    assert (reversal.amount, reversal.status) == (2125, "succeeded")
    assert stripe_transfer(stripe, transfer).amount_reversed == 2125


def test_a_lost_chargeback_after_the_transfer_takes_the_share_back(
    stripe, as_user, paid_booking, api
):
    trainer = onboarded_trainer(as_user)
    _booking, payment = past_session(trainer, paid_booking)
    complete_sessions()
    transfer = Transfer.objects.get()
    payment.refresh_from_db()

    # The emulator has no disputes: Stripe's events, built and signed here.
    for status in ("needs_response", "lost"):
        evt = se.event("charge.dispute.updated", se.dispute(payment, status=status))
        assert se.post(api, evt).status_code == 200

    reversal = TransferReversal.objects.get()
    assert (reversal.amount, reversal.status) == (6375, "succeeded")
    assert stripe_transfer(stripe, transfer).amount_reversed == 6375


def account_events(trainer, *, payouts_enabled: bool) -> list[dict]:
    """The account.updated events the emulator delivered for the trainer's account, oldest
    first, whose account had payouts enabled or not."""
    return [
        e.payload
        for e in WebhookEvent.objects.filter(type="account.updated").order_by("id")
        if e.payload["data"]["object"]["id"] == trainer.stripe_account_id
        and e.payload["data"]["object"]["payouts_enabled"] is payouts_enabled
    ]


def test_duplicate_and_reordered_connect_events(stripe, as_user, api):
    trainer = onboarded_trainer(as_user, outcome="incomplete")
    assert wait_for(lambda: account_events(trainer, payouts_enabled=False))
    [incomplete] = account_events(trainer, payouts_enabled=False)[-1:]
    url = as_user(trainer.user).post(ONBOARDING).json()["url"]
    onboarding_form(url, "complete")
    assert wait_for(lambda: account_events(trainer, payouts_enabled=True))
    [complete] = account_events(trainer, payouts_enabled=True)[-1:]

    duplicate = post_connect(api, complete)
    # The older state delivered after the newer one (Stripe does not promise order).
    late = post_connect(api, {**incomplete, "id": incomplete["id"] + "_redelivered"})

    assert duplicate.json() == {"received": True, "duplicate": True}
    assert late.json() == {"received": True, "duplicate": False}
    assert WebhookEvent.objects.filter(stripe_event_id=complete["id"]).count() == 1
    trainer.refresh_from_db()
    # The late copy said "incomplete"; the account as Stripe has it now is what is kept.
    assert trainer.payouts_enabled and trainer.payout_requirements == []


def test_make_runs_demo_trainers_get_onboarded_accounts_at_the_emulator(localstripe, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()

    call_command("onboard_demo_trainers", stdout=out)

    for trainer in TrainerProfile.objects.all():
        account = localstripe.sdk.v1.accounts.retrieve(trainer.stripe_account_id)
        assert account.payouts_enabled and trainer.payouts_enabled
        assert (
            f"{trainer.user.email}: {trainer.stripe_account_id}, payouts enabled" in out.getvalue()
        )
