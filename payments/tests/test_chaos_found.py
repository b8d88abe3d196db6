"""Interleavings the chaos test found, replayed step by step as regression tests."""

import pytest

from payments.tests.test_chaos import Chaos

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.fixture
def chaos(localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks):
    Chaos.fixtures = {
        "localstripe": localstripe,
        "stripe_requests": stripe_requests,
        "as_user": as_user,
        "api": api,
        "capture": django_capture_on_commit_callbacks,
    }
    return Chaos()


def test_a_cancellation_then_a_trainers_and_a_dashboard_refund(chaos):
    chaos.create_intent_and_confirm(card="success")
    chaos.the_money_holds()
    for _ in range(4):
        chaos.cancel(who="client_cancels")
        chaos.the_money_holds()
    chaos.refund(how="trainer_refunds")
    chaos.the_money_holds()
    chaos.refund(how="dashboard_refunds")
    chaos.the_money_holds()
    chaos.teardown()


def test_two_charges_cancelled_a_dashboard_refund_then_reconciliation(chaos):
    chaos.create_intent_and_confirm(card="success")
    chaos.the_money_holds()
    chaos.create_intent_and_confirm(card="success")
    chaos.the_money_holds()
    for _ in range(5):
        chaos.cancel(who="client_cancels")
        chaos.the_money_holds()
    chaos.refund(how="dashboard_refunds")
    chaos.the_money_holds()
    chaos.time_passes(what="time_passes")
    chaos.the_money_holds()
    chaos.time_passes(what="reconcile")
    chaos.the_money_holds()
    chaos.refund(how="trainer_refunds")
    chaos.the_money_holds()
    chaos.pay_at_the_checkout(how="pay")
    chaos.the_money_holds()
    chaos.teardown()


def test_a_dashboard_refund_of_a_late_charge_then_its_webhook_twice(chaos):
    chaos.create_intent_and_confirm(card="success")
    chaos.the_money_holds()
    chaos.cancel(who="trainer_cancels")
    chaos.the_money_holds()
    chaos.refund(how="dashboard_refunds")
    chaos.the_money_holds()
    chaos.pay_at_the_checkout(how="pay_answer_lost")
    chaos.the_money_holds()
    chaos.refund(how="dashboard_refunds")
    chaos.the_money_holds()
    chaos.deliver_a_webhook(copies=2, n=3)
    chaos.the_money_holds()
    chaos.teardown()


def test_a_dashboard_refund_of_a_charge_whose_webhook_never_came(chaos):
    """Reconciliation collects the charge from Stripe's events and must learn of the Dashboard
    refund from them too, as Stripe lists charge.refunded and refund.created for it."""
    chaos.create_intent_and_confirm(card="success")
    chaos.the_money_holds()
    chaos.refund(how="dashboard_refunds")
    chaos.the_money_holds()
    chaos.teardown()
